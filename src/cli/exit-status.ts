/**
 * Exit codes of the `weft` command, and the error that carries one. Scripts
 * may rely on the codes. This file imports nothing, so a command can throw a
 * CliError without loading the error taxonomy (exit-codes.ts), which imports
 * the Temporal client and every module that defines an error class.
 */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** The thing asked for failed: an invalid DAG, a failed run, a run in the wrong state, a refused decision. */
  FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** Invalid configuration: a setting, the DAGs folder, the Temporal namespace. */
  CONFIG: 3,
  /** Temporal (or a server Weft needs) is unavailable or did not answer in time; trying again later may work. */
  UNAVAILABLE: 4,
  /** A named run, DAG, schedule or queue does not exist. */
  NOT_FOUND: 5,
  /** Interrupted by Ctrl-C. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that carries the exit code the CLI should end with. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

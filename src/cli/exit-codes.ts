/** Exit codes of the `weft` command. Scripts may rely on them. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** The thing asked for failed: an invalid DAG, a failed run. */
  FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** Invalid configuration. */
  CONFIG: 3,
  /** Temporal (or a server Weft needs) is unavailable. */
  UNAVAILABLE: 4,
  /** A named run, DAG or schedule does not exist. */
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

/** Exit codes of the `weft` command. Scripts may rely on them. */
import { CommanderError } from 'commander';
import { classifyError, ERROR_KINDS, type ErrorKind } from '../errors';

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

/** The exit code for each kind of failure (src/errors); the CLI decides nothing else about errors. */
const EXIT_OF_KIND: Record<ErrorKind, ExitCode> = {
  [ERROR_KINDS.NOT_FOUND]: EXIT.NOT_FOUND,
  [ERROR_KINDS.INVALID]: EXIT.FAILURE,
  [ERROR_KINDS.CONFLICT]: EXIT.FAILURE,
  [ERROR_KINDS.REFUSED]: EXIT.FAILURE,
  [ERROR_KINDS.UNAVAILABLE]: EXIT.UNAVAILABLE,
  [ERROR_KINDS.TIMED_OUT]: EXIT.UNAVAILABLE,
  [ERROR_KINDS.MISCONFIGURED]: EXIT.CONFIG,
  [ERROR_KINDS.INTERNAL]: EXIT.FAILURE,
};

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (err instanceof CliError) return err.exitCode;
  return EXIT_OF_KIND[classifyError(err).kind];
}

/** The same error as a CliError with a message of the caller's choosing (e.g. with a hint added). */
export function cliError(err: unknown, message = err instanceof Error ? err.message : String(err)): CliError {
  return new CliError(message, exitCodeFor(err));
}

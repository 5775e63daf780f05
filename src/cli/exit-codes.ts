/** The exit code of any error that ends a command, through Weft's error taxonomy (src/errors). */
import { CommanderError } from 'commander';
import { classifyError, ERROR_KINDS, type ErrorKind } from '../errors';
import { EXIT, CliError, type ExitCode } from './exit-status';

export { EXIT, CliError, type ExitCode } from './exit-status';

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

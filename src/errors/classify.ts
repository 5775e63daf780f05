/**
 * The one place that decides what kind of failure an error is. The API's
 * statuses (src/api/errors.ts), the CLI's exit codes (src/cli/exit-codes.ts)
 * and the outbox's "is Temporal down?" check (src/outbox/classify.ts) all ask
 * this function and map its answer; none of them looks at gRPC codes itself.
 *
 * Order matters: the first error in the cause chain that says what it is
 * decides, so a Weft error that wraps a gRPC error keeps its own kind.
 */
import { DagNotFoundError } from '../client/catalog';
import { TemporalUnavailableError } from '../client/connection';
import { DefinitionsFolderError } from '../client/definitions';
import { RunInputError } from '../client/input-schema';
import { QueueNotFoundError } from '../client/queues';
import { ConfigError } from '../config/load';
import { DagValidationError } from '../dag/validate';
import { DevServerStartError } from '../temporal/dev-server';
import { TemporalServerUnavailableError } from '../temporal/servers';
import { TracingConfigError } from '../telemetry/tracing';
import { causeChain } from './chain';
import { classifyTemporalError, type GrpcStatusName } from './grpc';
import { ERROR_KINDS, isRetryableKind, type ErrorKind } from './kinds';
import { WeftError } from './weft-error';

export interface ErrorClass {
  kind: ErrorKind;
  /** Doing the same thing again later can succeed without any change by the caller. */
  retryable: boolean;
  /** The error in the cause chain that decided the kind (the error itself when nothing did). */
  decidedBy: unknown;
  /** The gRPC status behind it, when a gRPC error decided. */
  grpcStatus?: GrpcStatusName;
}

type ErrorClassCtor = abstract new (...args: never[]) => Error;

/**
 * Weft errors declared outside WeftError's hierarchy, in modules that must not
 * depend on src/errors (src/dag runs in the workflow sandbox) or that predate
 * it. New errors should extend WeftError instead of being added here.
 */
const KNOWN: ReadonlyArray<readonly [ErrorClassCtor, ErrorKind]> = [
  [DagValidationError, ERROR_KINDS.INVALID],
  [RunInputError, ERROR_KINDS.INVALID],
  [DagNotFoundError, ERROR_KINDS.NOT_FOUND],
  [QueueNotFoundError, ERROR_KINDS.NOT_FOUND],
  [DefinitionsFolderError, ERROR_KINDS.MISCONFIGURED],
  [ConfigError, ERROR_KINDS.MISCONFIGURED],
  [TracingConfigError, ERROR_KINDS.MISCONFIGURED],
  [TemporalUnavailableError, ERROR_KINDS.UNAVAILABLE],
  [TemporalServerUnavailableError, ERROR_KINDS.UNAVAILABLE],
  [DevServerStartError, ERROR_KINDS.UNAVAILABLE],
];

function classifyOne(e: unknown): { kind: ErrorKind; grpcStatus?: GrpcStatusName } | undefined {
  if (e instanceof WeftError) return { kind: e.kind };
  for (const [ctor, kind] of KNOWN) if (e instanceof ctor) return { kind };
  return classifyTemporalError(e);
}

/** What kind of failure `err` is, following its causes; `internal` when nothing in the chain says. */
export function classifyError(err: unknown): ErrorClass {
  for (const e of causeChain(err)) {
    const found = classifyOne(e);
    if (found) return { ...found, retryable: isRetryableKind(found.kind), decidedBy: e };
  }
  return { kind: ERROR_KINDS.INTERNAL, retryable: false, decidedBy: err };
}

/** True when Temporal (or the network to it) failed, rather than the request: the kinds worth retrying later. */
export function isTemporalUnavailable(err: unknown): boolean {
  return classifyError(err).retryable;
}

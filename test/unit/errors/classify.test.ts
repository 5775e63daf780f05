/**
 * The one classifier, over the errors the client really sees: gRPC errors made
 * by grpc-js itself, the Temporal SDK's error classes, socket errors, and
 * Weft's own errors. (test/integration/api/error-taxonomy.test.ts gets the
 * same kinds from a real server.)
 */
import { Metadata } from '@grpc/grpc-js';
import { callErrorFromStatus } from '@grpc/grpc-js/build/src/call';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, NamespaceNotFoundError, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DagNotFoundError } from '../../../src/client/catalog';
import { TemporalUnavailableError } from '../../../src/client/connection';
import { RunInputError } from '../../../src/client/input-schema';
import { RunNotFoundError, RunOptionError, RunStartUncertainError, RunStateError } from '../../../src/client/run-errors';
import { ScheduleApplyError, ScheduleNotFoundError } from '../../../src/client/schedules/errors';
import { ConfigError } from '../../../src/config/load';
import { DagValidationError } from '../../../src/dag/validate';
import { GRPC_STATUS, classifyError, grpcStatusOf, isTemporalUnavailable, type ErrorKind, type GrpcStatusName } from '../../../src/errors';

function grpcError(name: GrpcStatusName, details = `${name} from the test`): Error {
  return callErrorFromStatus({ code: GRPC_STATUS[name], details, metadata: new Metadata() }, 'at test');
}

/** As the SDK throws them: its ServiceError wrapping the gRPC error. */
function wrapped(name: GrpcStatusName): Error {
  return new ServiceError(`Failed to start Workflow`, { cause: grpcError(name) });
}

describe('classifyError: gRPC statuses', () => {
  const table: Array<[GrpcStatusName, ErrorKind, boolean]> = [
    ['CANCELLED', 'unavailable', true],
    ['UNKNOWN', 'unavailable', true],
    ['INVALID_ARGUMENT', 'invalid', false],
    ['DEADLINE_EXCEEDED', 'timed_out', true],
    ['NOT_FOUND', 'not_found', false],
    ['ALREADY_EXISTS', 'conflict', false],
    ['PERMISSION_DENIED', 'refused', false],
    ['RESOURCE_EXHAUSTED', 'unavailable', true],
    ['FAILED_PRECONDITION', 'conflict', false],
    ['ABORTED', 'unavailable', true],
    ['OUT_OF_RANGE', 'invalid', false],
    ['UNIMPLEMENTED', 'refused', false],
    ['INTERNAL', 'unavailable', true],
    ['UNAVAILABLE', 'unavailable', true],
    ['DATA_LOSS', 'internal', false],
    ['UNAUTHENTICATED', 'refused', false],
  ];
  it.each(table)('%s → %s (retryable: %s), bare and wrapped in the SDK ServiceError', (status, kind, retryable) => {
    for (const err of [grpcError(status), wrapped(status)]) {
      expect(classifyError(err)).toMatchObject({ kind, retryable, grpcStatus: status });
      expect(grpcStatusOf(err)).toBe(status);
    }
  });

  it('covers every gRPC status but OK', () => {
    expect(table.map(([s]) => s).sort()).toEqual((Object.keys(GRPC_STATUS) as GrpcStatusName[]).sort());
  });
});

describe('classifyError: Temporal SDK errors', () => {
  it.each<[string, Error, ErrorKind]>([
    ['WorkflowNotFoundError', new WorkflowNotFoundError('not found', 'wf', undefined), 'not_found'],
    ['WorkflowExecutionAlreadyStartedError', new WorkflowExecutionAlreadyStartedError('already started', 'wf', 'dagRun'), 'conflict'],
    ['WorkflowUpdateFailedError', new WorkflowUpdateFailedError('refused', ApplicationFailure.create({ message: 'not waiting' })), 'refused'],
    ['WorkflowUpdateRPCTimeoutOrCancelledError', new WorkflowUpdateRPCTimeoutOrCancelledError('timeout', { cause: grpcError('DEADLINE_EXCEEDED') }), 'timed_out'],
    ['NamespaceNotFoundError', new NamespaceNotFoundError('nope'), 'misconfigured'],
    ['ServiceError without a gRPC status (transport)', new ServiceError('Failed to connect to Temporal server', { cause: new Error('socket hang up') }), 'unavailable'],
  ])('%s → %s', (_name, err, kind) => {
    expect(classifyError(err).kind).toBe(kind);
  });
});

describe('classifyError: connection errors', () => {
  it('treats refused, reset and unresolvable connections as unavailable, and a socket timeout as timed_out', () => {
    const sys = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN']) expect([code, classifyError(sys(code)).kind]).toEqual([code, 'unavailable']);
    expect(classifyError(sys('ETIMEDOUT')).kind).toBe('timed_out');
  });

  it('classifies the error connectClient throws as unavailable', () => {
    expect(classifyError(new TemporalUnavailableError('127.0.0.1:1', new Error('refused')))).toMatchObject({ kind: 'unavailable', retryable: true });
  });
});

describe("classifyError: Weft's errors", () => {
  it.each<[string, Error, ErrorKind]>([
    ['RunNotFoundError', new RunNotFoundError('r1'), 'not_found'],
    ['RunStateError', new RunStateError('r1', 'run "r1" is completed, not running'), 'conflict'],
    ['RunOptionError', new RunOptionError('priority', 9, 'an integer from 1 (highest) to 5'), 'invalid'],
    ['RunStartUncertainError', new RunStartUncertainError('r1', 'timed_out', grpcError('DEADLINE_EXCEEDED')), 'timed_out'],
    ['DagNotFoundError', new DagNotFoundError('x', '/dags', []), 'not_found'],
    ['DagValidationError', new DagValidationError([{ path: 'nodes', code: 'schema', message: 'required' }]), 'invalid'],
    ['RunInputError', new RunInputError('x', [{ path: 'input.a', message: 'required' }]), 'invalid'],
    ['ScheduleNotFoundError', new ScheduleNotFoundError('s1'), 'not_found'],
    ['ConfigError', new ConfigError([{ path: 'api.port', message: 'bad', source: 'default' }]), 'misconfigured'],
  ])('%s → %s', (_name, err, kind) => {
    expect(classifyError(err).kind).toBe(kind);
  });

  it('lets a Weft error decide over the gRPC error it wraps', () => {
    // The run start is uncertain (a timeout), not "not found", whatever the cause says.
    expect(classifyError(new RunStartUncertainError('r1', 'unavailable', grpcError('NOT_FOUND'))).kind).toBe('unavailable');
  });

  it('classifies an error that only wraps another by its cause', () => {
    const apply = new ScheduleApplyError([], { action: 'create', id: 's1' }, wrapped('UNAVAILABLE'));
    expect(classifyError(apply)).toMatchObject({ kind: 'unavailable', grpcStatus: 'UNAVAILABLE' });
  });

  it('calls anything it does not know internal, and never retryable', () => {
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({ kind: 'internal', retryable: false });
    expect(classifyError('a string')).toMatchObject({ kind: 'internal', retryable: false });
    expect(classifyError(undefined).kind).toBe('internal');
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(classifyError(a).kind).toBe('internal');
  });
});

describe('isTemporalUnavailable (the outbox asks this)', () => {
  it('is true for the statuses that describe the server or the network, false for those that judge the request', () => {
    expect((['CANCELLED', 'UNKNOWN', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'ABORTED', 'INTERNAL', 'UNAVAILABLE'] as const).every((s) => isTemporalUnavailable(wrapped(s)))).toBe(true);
    expect((['INVALID_ARGUMENT', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'FAILED_PRECONDITION'] as const).some((s) => isTemporalUnavailable(wrapped(s)))).toBe(false);
  });
});

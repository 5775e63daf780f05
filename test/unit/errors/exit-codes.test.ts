/** The CLI's exit codes are a mapping of the error taxonomy: one case per kind, and the CLI's own errors. */
import { Metadata } from '@grpc/grpc-js';
import { callErrorFromStatus } from '@grpc/grpc-js/build/src/call';
import { CommanderError } from 'commander';
import { ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { DefinitionsFolderError } from '../../../src/client/definitions';
import { RunNotFoundError, RunStateError } from '../../../src/client/run-errors';
import { ConfigError } from '../../../src/config/load';
import { DagValidationError } from '../../../src/dag/validate';
import { CliError, EXIT, cliError, exitCodeFor } from '../../../src/cli/exit-codes';
import { GRPC_STATUS, type GrpcStatusName } from '../../../src/errors';

const grpc = (name: GrpcStatusName): Error => new ServiceError('Failed', { cause: callErrorFromStatus({ code: GRPC_STATUS[name], details: name, metadata: new Metadata() }, '') });

describe('exitCodeFor', () => {
  it.each<[string, unknown, number]>([
    ['a missing run', new RunNotFoundError('r1'), EXIT.NOT_FOUND],
    ["Temporal's own not-found", new WorkflowNotFoundError('nope', 'r1', undefined), EXIT.NOT_FOUND],
    ['an invalid DAG', new DagValidationError([{ path: 'nodes', code: 'schema', message: 'required' }]), EXIT.FAILURE],
    ['a run in the wrong state', new RunStateError('r1', 'not running'), EXIT.FAILURE],
    ['bad configuration', new ConfigError([{ path: 'api.port', message: 'bad', source: 'default' }]), EXIT.CONFIG],
    ['a missing DAGs folder', new DefinitionsFolderError('/nope', 'missing'), EXIT.CONFIG],
    ['an unknown namespace', new NamespaceNotFoundError('nope'), EXIT.CONFIG],
    ['UNAVAILABLE', grpc('UNAVAILABLE'), EXIT.UNAVAILABLE],
    ['DEADLINE_EXCEEDED', grpc('DEADLINE_EXCEEDED'), EXIT.UNAVAILABLE],
    ['CANCELLED', grpc('CANCELLED'), EXIT.UNAVAILABLE],
    ['a usage error', new CommanderError(1, 'commander.unknownOption', 'unknown option'), EXIT.USAGE],
    ['--help', new CommanderError(0, 'commander.helpDisplayed', ''), EXIT.OK],
    ['a CliError', new CliError('interrupted', EXIT.INTERRUPTED), EXIT.INTERRUPTED],
    ['a bug', new TypeError('x is undefined'), EXIT.FAILURE],
  ])('%s → %s', (_what, err, code) => {
    expect(exitCodeFor(err)).toBe(code);
  });

  it('keeps the exit code of the kind when the CLI rewords the message', () => {
    const e = cliError(new RunNotFoundError('r1'), 'no such run: r1 (check the id)');
    expect([e.message, e.exitCode]).toEqual(['no such run: r1 (check the id)', EXIT.NOT_FOUND]);
  });
});

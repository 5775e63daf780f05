/**
 * Acceptance: a 10 MB activity output flows through a DAG on a real server,
 * although Temporal refuses payloads over 2 MB, because the claim check keeps
 * it in the blob store and history carries only the reference.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { claimCheckInterceptor, FileBlobStore, isWeftRef, type WeftRef } from '../../../src/payloads';
import { weftActivityInterceptor } from '../../../src/workers/interceptors';
import { isEnvelope } from '../../../src/workflows/envelope';
import { devServerEnv } from '../../helpers/temporal';
import { dagRunStart, eventsOfType, payloadsIn, runningWorker } from './support';

let env: TestWorkflowEnvironment;
const dir = mkdtempSync(join(tmpdir(), 'weft-claim-check-'));
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');
const TEN_MB = 10 * 1024 * 1024;

describe('the claim check on a real server', () => {
  it('passes a 10 MB output from node A to node B intact, with only a reference in history', async () => {
    const store = new FileBlobStore(dir);
    let produced = '';
    const taskQueue = await runningWorker(env, {
      activities: {
        // Base64 of random bytes: about as compressible as real binary data is.
        produce: async () => (produced = randomBytes((TEN_MB * 3) / 4).toString('base64')),
        digest: async ({ data }: { data: string }) => ({ sha256: sha256(data), length: data.length }),
      },
      interceptors: { activity: [weftActivityInterceptor, claimCheckInterceptor({ store })] },
    });
    // Remote, because this test reads the reference from the activity events; the local variant is below.
    const def = {
      name: 'claim-check-10mb',
      defaults: { mode: 'remote' },
      nodes: [
        { id: 'a', activity: 'produce' },
        { id: 'b', activity: 'digest', after: ['a'], input: { data: '{{ nodes.a.output }}' } },
      ],
    };

    const handle = await env.client.workflow.start('dagRun', dagRunStart(def, taskQueue));
    const result = await handle.result();

    expect(produced).toHaveLength(TEN_MB);
    expect(result).toEqual({ b: { sha256: sha256(produced), length: TEN_MB } });

    const events = (await handle.fetchHistory()).events ?? [];
    const totalPayloadBytes = payloadsIn(events).reduce((sum, p) => sum + (p.data?.length ?? 0), 0);
    expect(totalPayloadBytes).toBeLessThan(64 * 1024);

    const [completedA] = eventsOfType(events, 'activityTaskCompletedEventAttributes');
    const envelope = defaultPayloadConverter.fromPayload(payloadsIn(completedA!.activityTaskCompletedEventAttributes!.result)[0]!);
    expect(isEnvelope(envelope)).toBe(true);
    const ref = (envelope as { output: WeftRef }).output;
    expect(isWeftRef(ref)).toBe(true);
    const json = JSON.stringify(produced);
    expect(ref.__weftRef).toEqual({ store: 'file', key: `sha256/${sha256(json).slice(0, 2)}/${sha256(json)}`, size: json.length, sha256: sha256(json) });
    expect(existsSync(store.pathOf(ref.__weftRef.key))).toBe(true);

    const scheduledB = eventsOfType(events, 'activityTaskScheduledEventAttributes').find((e) => e.activityTaskScheduledEventAttributes!.activityId === 'b');
    expect(defaultPayloadConverter.fromPayload(payloadsIn(scheduledB!.activityTaskScheduledEventAttributes!.input)[0]!)).toEqual({ data: ref });
  });

  it('passes a 10 MB output between local nodes too, with only a reference in history (the marker holds it)', async () => {
    const store = new FileBlobStore(dir);
    let produced = '';
    const taskQueue = await runningWorker(env, {
      activities: {
        produce: async () => (produced = randomBytes((TEN_MB * 3) / 4).toString('base64')),
        digest: async ({ data }: { data: string }) => ({ sha256: sha256(data), length: data.length }),
      },
      interceptors: { activity: [weftActivityInterceptor, claimCheckInterceptor({ store })] },
    });
    const def = {
      name: 'claim-check-10mb-local',
      defaults: { mode: 'local' },
      nodes: [
        { id: 'a', activity: 'produce' },
        { id: 'b', activity: 'digest', after: ['a'], input: { data: '{{ nodes.a.output }}' } },
      ],
    };
    const handle = await env.client.workflow.start('dagRun', dagRunStart(def, taskQueue));
    expect(await handle.result()).toEqual({ b: { sha256: sha256(produced), length: TEN_MB } });
    const events = (await handle.fetchHistory()).events ?? [];
    expect(eventsOfType(events, 'markerRecordedEventAttributes').length).toBeGreaterThanOrEqual(2);
    expect(payloadsIn(events).reduce((sum, p) => sum + (p.data?.length ?? 0), 0)).toBeLessThan(64 * 1024);
  });

  it('without the claim check, the same output never reaches the workflow: the worker fails the node at once with WeftOutputTooLarge', async () => {
    const taskQueue = await runningWorker(env, {
      activities: { produce: async () => randomBytes((TEN_MB * 3) / 4).toString('base64') },
      interceptors: { activity: [weftActivityInterceptor] },
    });
    // The worker measures the output before it sends it (src/workers/output-limit.ts), so the node fails in its first
    // attempt rather than at its start-to-close timeout. test/integration/local-output-limit.test.ts covers local nodes.
    const def = { name: 'no-claim-check-10mb', nodes: [{ id: 'a', activity: 'produce', timeout: '3s', retry: { maximumAttempts: 1 }, mode: 'remote' }] };
    const handle = await env.client.workflow.start('dagRun', dagRunStart(def, taskQueue));
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('WeftNodeFailed');
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).message).toMatch(/^node "a" failed: the output of node "a" .* over the [\d,]+-byte bound/);
  });

  it('keeps the small fields of an output inline, so expressions can still read them', async () => {
    const store = new FileBlobStore(dir);
    const taskQueue = await runningWorker(env, {
      activities: {
        fetch: async () => ({ status: 200, body: randomBytes(1024 * 1024).toString('base64') }),
        echo: async (input: unknown) => input,
      },
      interceptors: { activity: [weftActivityInterceptor, claimCheckInterceptor({ store })] },
    });
    const def = {
      name: 'claim-check-fields',
      nodes: [
        { id: 'fetch', activity: 'fetch' },
        {
          id: 'check',
          activity: 'echo',
          after: ['fetch'],
          when: '{{ nodes.fetch.output.status = 200 }}',
          // Reading into the offloaded field sees the reference, not the data.
          input: { status: '{{ nodes.fetch.output.status }}', bodyBytes: '{{ nodes.fetch.output.body.__weftRef.size }}' },
        },
      ],
    };
    const handle = await env.client.workflow.start('dagRun', dagRunStart(def, taskQueue));
    expect(await handle.result()).toEqual({ check: { status: 200, bodyBytes: Math.ceil((1024 * 1024) / 3) * 4 + 2 } });
  });
});

/** GET /v1/runs/:id/events: Server-Sent Events of a real run, in order, ending when the run closes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { devServerEnv, uniqueId } from '../../helpers/temporal';
import { apiFor, eventually, Gates, readEvents, TOKEN, type Api, type SseEvent } from './harness';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
});

const echo = async (x: unknown) => x;

interface NodeEvent {
  id: string;
  state: string;
  progress?: { done: number; total: number };
}

async function start(api: Api, dag: Record<string, unknown>): Promise<string> {
  const id = uniqueId('sse');
  // Remote nodes: the stream's node events come from status queries, which a running local activity holds back
  // (up to ~8 s each), and gates report progress through heartbeats, which local activities do not have.
  const remote = { ...dag, defaults: { mode: 'remote' } };
  expect((await api.call('POST', '/v1/runs', { json: { id, dag: remote } })).status).toBe(202);
  return id;
}

function openStream(api: Api, id: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${api.url}/v1/runs/${id}/events`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
}

const LIFECYCLE = ['pending', 'waiting', 'running', 'succeeded'];

describe('GET /v1/runs/:id/events', () => {
  it('sends status, then node events for each transition in order, then run, and ends', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, {
      name: 'two-steps',
      nodes: [
        { id: 'a', activity: 'gate', input: { node: 'a' } },
        { id: 'b', activity: 'gate', after: ['a'], input: { node: 'b' } },
      ],
    });
    const res = await openStream(api, id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');

    // Release each node only once the stream has shown it running, so every transition is seen.
    const events = await readEvents(res, (e) => {
      const n = e.data as NodeEvent;
      if (e.event === 'node' && n.state === 'running') gates.release(n.id);
    });

    expect(events[0]!.event).toBe('status');
    expect(events[0]!.data).toMatchObject({ id, execution: 'RUNNING' });
    expect(events.at(-1)).toMatchObject({ event: 'run', data: { id, execution: 'COMPLETED', result: { b: { released: 'b' } } } });
    expect(events.slice(1, -1).every((e) => e.event === 'node')).toBe(true);

    const states = (node: string) => events.filter((e) => e.event === 'node' && (e.data as NodeEvent).id === node).map((e) => (e.data as NodeEvent).state);
    for (const node of ['a', 'b']) {
      const seen = states(node);
      expect(seen).toContain('running');
      expect(seen.at(-1)).toBe('succeeded');
      // Each node's states only move forward.
      expect(seen.map((s) => LIFECYCLE.indexOf(s))).toEqual([...seen.map((s) => LIFECYCLE.indexOf(s))].sort((x, y) => x - y));
    }
    // b starts only after a succeeded, and the stream shows it in that order.
    const index = (node: string, state: string) => events.findIndex((e) => e.event === 'node' && (e.data as NodeEvent).id === node && (e.data as NodeEvent).state === state);
    expect(index('a', 'succeeded')).toBeLessThan(index('b', 'running'));

    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i));
  });

  it("sends a node event when a running node's progress changes", async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, { name: 'progress', nodes: [{ id: 'p', activity: 'gate', input: { node: 'p', progress: { done: 1, total: 4 } } }] });
    const res = await openStream(api, id);
    const events = await readEvents(res, (e) => {
      if (e.event === 'node' && (e.data as NodeEvent).progress) gates.release('p');
    });
    const withProgress = events.find((e) => e.event === 'node' && (e.data as NodeEvent).progress);
    expect(withProgress!.data).toMatchObject({ id: 'p', state: 'running', progress: { done: 1, total: 4 } });
  });

  it('sends status then run at once for a run that has already closed', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, { name: 'closed', nodes: [{ id: 'a', activity: 'echo', input: 1 }] });
    await env.client.workflow.getHandle(id).result();
    const events = await readEvents(await openStream(api, id));
    expect(events.map((e) => e.event)).toEqual(['status', 'run']);
    expect(events[1]!.data).toMatchObject({ execution: 'COMPLETED', result: { a: 1 } });
  });

  it('continues the ids after Last-Event-ID', async () => {
    const api = await apiFor(env, { echo });
    const id = await start(api, { name: 'resume', nodes: [{ id: 'a', activity: 'echo' }] });
    await env.client.workflow.getHandle(id).result();
    const events = await readEvents(await openStream(api, id, { 'last-event-id': '41' }));
    expect(events.map((e) => e.id)).toEqual(['42', '43']);
  });

  it('answers 404 for an unknown run, before any stream starts', async () => {
    const api = await apiFor(env, { echo });
    const res = await openStream(api, uniqueId('nobody'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('stops polling when the client goes away', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, { name: 'left', nodes: [{ id: 'a', activity: 'gate', input: { node: 'a' } }] });
    const controller = new AbortController();
    const res = await fetch(`${api.url}/v1/runs/${id}/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: controller.signal });
    const seen: SseEvent[] = [];
    const reading = readEvents(res, (e) => seen.push(e)).catch(() => undefined);
    await eventually(async () => seen.length > 0, 'the first event');
    const streams = async () => Number(/^weft_api_event_streams (\d+)$/m.exec(await (await fetch(`${api.url}/metrics`)).text())![1]);
    expect(await streams()).toBe(1);
    controller.abort();
    await reading;
    await eventually(async () => (await streams()) === 0, 'the stream to be closed on the server');
    gates.release('a');
  });

  it('ends open streams when the server closes, and the close does not wait for the run', async () => {
    const gates = new Gates();
    const api = await apiFor(env, { gate: gates.activity });
    const id = await start(api, { name: 'closing', nodes: [{ id: 'a', activity: 'gate', input: { node: 'a' } }] });
    const seen: SseEvent[] = [];
    const reading = readEvents(await openStream(api, id), (e) => seen.push(e));
    await eventually(async () => seen.length > 0, 'the first event');
    await api.app.close();
    const events = await reading;
    expect(events.map((e) => e.event)).not.toContain('run');
    gates.release('a');
  });
});

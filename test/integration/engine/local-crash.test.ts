/**
 * Exactly-once effects on the local path under a worker SIGKILL. A `weft
 * worker` process runs batches of a 20-node DAG whose every node is a local
 * activity POSTing to a ledger that applies each Idempotency-Key once (as a
 * payment API does). The worker is SIGKILLed mid-batch and another started:
 * the workflow tasks it held time out, and the new worker re-runs their local
 * activities. Every run must complete with each side effect applied once,
 * under the node's key: none lost, none under a second key, none unexpected.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WeftClient } from '../../../src/client/weft-client';
import { compileDag } from '../../../src/dag';
import { statusQuery } from '../../../src/workflows/messages';
import { spawnWeft, waitForOutput } from '../../helpers/cli';
import { devServerEnv, uniqueId } from '../../helpers/temporal';

/**
 * Applies each Idempotency-Key once, as a payment API does, and records each
 * effect with the run and node its body names: a node whose key changed on a
 * re-run would show as two effects of one node.
 */
class Ledger {
  /** `<run>/<node>` (from the body) → keys applied for it. */
  readonly effects = new Map<string, string[]>();
  readonly seen = new Map<string, number>();
  private server?: Server;
  url = '';

  async start(delayMs: number): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        setTimeout(() => {
          const key = String(req.headers['idempotency-key'] ?? '');
          const { run, node } = JSON.parse(body) as { run: string; node: string };
          this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
          // A request without a key is applied every time: it would count as a second effect.
          if (key === '' || this.seen.get(key) === 1) this.effects.set(`${run}/${node}`, [...(this.effects.get(`${run}/${node}`) ?? []), key]);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const LAYERS = [1, 6, 6, 6, 1];
const RUNS = 10;

function ledgerDag() {
  const nodes: Array<Record<string, unknown>> = [];
  let previous: string[] = [];
  LAYERS.forEach((width, layer) => {
    const ids = Array.from({ length: width }, (_, i) => `l${layer}n${i}`);
    for (const id of ids) {
      nodes.push({ id, activity: 'http.request', mode: 'local', ...(previous.length ? { after: previous } : {}), input: { method: 'POST', url: '{{ input.ledger }}/apply', body: { run: '{{ run.id }}', node: id } } });
    }
    previous = ids;
  });
  return compileDag({ name: 'local-ledger', defaults: { timeout: '5s', retry: { maximumAttempts: 100, initialInterval: '500ms', maximumInterval: '2s' } }, nodes });
}

let env: TestWorkflowEnvironment;
const ledger = new Ledger();
const dataDir = mkdtempSync(join(tmpdir(), 'weft-local-crash-'));
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await devServerEnv();
  // Each request waits 50 ms, so local activities are in flight when the kill lands.
  await ledger.start(50);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await env?.teardown();
  await ledger.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startWorker(taskQueue: string): Promise<ChildProcess> {
  const child = spawnWeft(['worker', '--task-queue', taskQueue, '--shutdown-grace', '1s'], {
    env: { TEMPORAL_ADDRESS: inject('temporalAddress'), WEFT_DATA_DIR: dataDir, WEFT_WORKFLOW_BUNDLE: inject('workflowBundlePath'), WEFT_LOG_LEVEL: 'warn' },
  });
  children.push(child);
  await waitForOutput(child, /weft worker: task queue/);
  return child;
}

const effectCount = (): number => [...ledger.effects.values()].reduce((n, keys) => n + keys.length, 0);

describe('local activities under a worker SIGKILL', () => {
  it('complete every run with each side effect applied once, under its node key', { timeout: 300_000 }, async () => {
    const taskQueue = uniqueId('tq-crash');
    const first = await startWorker(taskQueue);
    const weft = new WeftClient(env.client, { taskQueue });
    const dag = ledgerDag();
    const ids = Array.from({ length: RUNS }, () => uniqueId('local-crash'));
    for (const id of ids) await weft.startRun({ dag, id, input: { ledger: ledger.url } });

    const total = RUNS * dag.nodes.length;
    await expect.poll(effectCount, { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(Math.ceil(total / 4));
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    const appliedAtKill = effectCount();
    await startWorker(taskQueue);

    for (const id of ids) await env.client.workflow.getHandle(id).result();

    const expected = new Set(ids.flatMap((id) => dag.nodes.map((n) => `${id}/${n.id}`)));
    const lost = [...expected].filter((k) => !ledger.effects.has(k));
    const twice = [...ledger.effects].filter(([, keys]) => keys.length > 1);
    // Each node's effect must be under its own key, `<workflowId>/<nodeId>`.
    const unexpected = [...ledger.effects].filter(([node, keys]) => keys.some((k) => k !== node));
    let redeliveries = 0;
    for (const k of expected) redeliveries += Math.max(0, (ledger.seen.get(k) ?? 0) - 1);
    console.log(`local-crash: ${total} effects, ${appliedAtKill} applied at the kill, ${redeliveries} re-runs absorbed by their key`);

    expect(appliedAtKill, 'the kill landed mid-batch').toBeLessThan(total);
    expect(lost, 'side effects never applied').toEqual([]);
    expect(twice, 'side effects applied twice').toEqual([]);
    expect(unexpected, 'side effects under a key no node has (e.g. a local activity sequence number)').toEqual([]);
    const status = await env.client.workflow.getHandle(ids[0]!).query(statusQuery);
    expect(new Set(status.nodes.map((n) => `${n.state} ${n.mode}`))).toEqual(new Set(['succeeded local']));
  });
});

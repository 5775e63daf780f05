/**
 * One trace from an HTTP request to POST /v1/runs down to every node's
 * activity and its outgoing http.request, exported over OTLP/HTTP (http/json)
 * to a real receiver, with a real API, worker and Temporal.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import pino from 'pino';
import { buildApi } from '../../../src/api/app';
import { createWeftClient } from '../../../src/client';
import { loadConfig } from '../../../src/config/load';
import { createWeftWorker, type WeftWorker } from '../../../src/workers/worker';
import { startTracing, type Tracing } from '../../../src/telemetry/tracing';
import type { WeftClient } from '../../../src/client/weft-client';
import { uniqueId } from '../../helpers/temporal';
import { OtlpReceiver, spanTree, type ReceivedSpan } from './otlp-receiver';

const SERVER = 2; // SpanKind.SERVER on the wire (OTLP counts from UNSPECIFIED = 0)
const CLIENT = 3;

let receiver: OtlpReceiver;
let tracing: Tracing | undefined;
let target: Server;
let targetUrl: string;
const traceparents: string[] = [];
let weftWorker: WeftWorker;
let running: Promise<void>;
let weft: WeftClient;
const dataDir = mkdtempSync(join(tmpdir(), 'weft-tracing-'));

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  // The standard variables, as an operator would set them.
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'weft-test' });
  tracing = await startTracing({ serviceName: 'unused' });
  target = createServer((req, res) => {
    traceparents.push(String(req.headers.traceparent ?? ''));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  process.env.WEFT_WORKFLOW_BUNDLE = inject('workflowBundlePath');
  const config = loadConfig({ env: {}, overrides: { temporal: { address: inject('temporalAddress') }, taskQueue: uniqueId('traced'), dataDir } });
  weftWorker = await createWeftWorker({ config, logger: pino({ level: 'warn' }) });
  running = weftWorker.worker.run();
  weft = await createWeftClient({ config });
});

afterAll(async () => {
  weftWorker?.worker.shutdown();
  await running;
  await weftWorker?.close();
  await weft?.temporal.connection.close();
  await tracing?.shutdown();
  await receiver?.close();
  target?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function ancestors(span: ReceivedSpan, all: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(all.map((s) => [s.spanId, s]));
  const out: ReceivedSpan[] = [];
  for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId)) out.push(p);
  return out;
}

describe('tracing', () => {
  it('follows a run from POST /v1/runs through the workflow to each activity and its outgoing HTTP call', async () => {
    expect(tracing, 'OTEL_EXPORTER_OTLP_ENDPOINT turns tracing on').toBeDefined();
    const app = buildApi({ weft, auth: { insecureNoAuth: true } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const dag = uniqueId('traced').toLowerCase();
    const callerTrace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const res = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${callerTrace}-1122334455667788-01` },
      body: JSON.stringify({
        dag: {
          name: dag,
          nodes: [
            { id: 'fetch', activity: 'http.request', input: { method: 'GET', url: `${targetUrl}/fetch` } },
            { id: 'keep', after: ['fetch'], activity: 'noop', input: { from: '{{ nodes.fetch.output.status }}' } },
            { id: 'notify', after: ['fetch'], activity: 'http.request', input: { method: 'POST', url: `${targetUrl}/notify`, body: { done: true } } },
          ],
        },
      }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await weft.temporal.workflow.getHandle(id).result();
    await app.close();
    await tracing!.flush();

    const spans = receiver.spans.filter((s) => s.traceId === callerTrace);
    const tree = spanTree(receiver.spans, callerTrace);
    // The caller's trace continues: the API's server span is the child of the caller's span.
    const server = spans.find((s) => s.kind === SERVER && s.name === 'POST /v1/runs');
    expect(server, tree).toBeDefined();
    expect(server!.parentSpanId).toBe('1122334455667788');
    expect(server!.attributes['weft.dag']).toBe(dag);

    const workflow = spans.find((s) => s.name === 'RunWorkflow:dagRun');
    expect(workflow, tree).toBeDefined();
    expect(ancestors(workflow!, spans)).toContain(server);
    expect(workflow!.attributes['weft.dag']).toBe(dag);

    const activities = spans.filter((s) => s.name.startsWith('RunActivity:'));
    expect(activities.map((s) => s.attributes['weft.node']).sort(), tree).toEqual(['fetch', 'keep', 'notify']);
    for (const a of activities) {
      expect(ancestors(a, spans), tree).toContain(workflow);
      expect(a.attributes).toMatchObject({ 'weft.dag': dag, 'weft.attempt': 1, 'weft.idempotency_key': `${id}/${String(a.attributes['weft.node'])}`, 'weft.run_id': id });
    }

    // Each http.request's client span is a child of its activity's span, and its context is what the server received.
    const calls = spans.filter((s) => s.kind === CLIENT && s.name.startsWith('HTTP '));
    expect(calls.map((c) => c.name).sort()).toEqual(['HTTP GET', 'HTTP POST']);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    expect(calls.map((c) => byId.get(c.parentSpanId)?.attributes['weft.node']).sort()).toEqual(['fetch', 'notify']);
    expect(traceparents.sort()).toEqual(calls.map((c) => `00-${callerTrace}-${c.spanId}-01`).sort());
    expect(receiver.contentTypes.every((t) => t.startsWith('application/json'))).toBe(true);
    console.log(`span tree of run ${id}:\n${tree}`);
  });
});

/**
 * The API while it validates large inline definitions (issue 8): time to the
 * answer of `POST /v1/runs`, the process's peak RSS and heap growth, and how
 * late a concurrent `GET /healthz` answers (the event loop's stall).
 *
 *   npx tsx bench/api-validate.ts [nodes…]        (default: 10000 100000)
 *
 * The API runs in this process over a Temporal client that points at a closed
 * port: the start never reaches a server, so what is measured is the parsing,
 * validation and compilation before it. Bodies above the API's 1 MiB default
 * limit are sent to a second app with the limit raised, so the cost of the
 * validation itself shows too. Record `uptime` next to the figures.
 */
import { loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { buildApi } from '../src/api/app';
import { WeftClient } from '../src/client/weft-client';

function chain(n: number): Record<string, unknown> {
  return {
    name: `bench-chain-${n}`,
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, activity: 'noop', ...(i > 0 ? { after: [`n${i - 1}`] } : {}) })),
  };
}

async function measure(n: number): Promise<void> {
  const body = JSON.stringify({ dag: chain(n), input: {} });
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  const weft = new WeftClient(new Client({ connection }), { taskQueue: 'bench' });
  const bodyLimitBytes = Math.max(1024 * 1024, body.length + 1024);
  const app = buildApi({ auth: { insecureNoAuth: true }, weft, bodyLimitBytes });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  const answer = fetch(`${url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${n}-${Date.now()}` }, body });
  // A health probe sent just after the big request: how long it waits behind it.
  await new Promise((r) => setTimeout(r, 20));
  const h0 = performance.now();
  const health = fetch(`${url}/healthz`).then((r) => ({ status: r.status, ms: performance.now() - h0 }));
  const res = await answer;
  const ms = performance.now() - t0;
  const json = (await res.json()) as { error?: { code?: string } };
  const probe = await health;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  console.log(
    `${n} nodes (${(body.length / 1e6).toFixed(2)} MB body, limit ${(bodyLimitBytes / 1e6).toFixed(1)} MB): answer ${res.status} ${json.error?.code ?? ''} after ${ms.toFixed(0)} ms; ` +
      `/healthz ${probe.status} after ${probe.ms.toFixed(0)} ms; peak RSS ${(peakRss / 1e6).toFixed(0)} MB; heap +${heapMb.toFixed(0)} MB; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  await app.close();
  await connection.close().catch(() => undefined);
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  for (const n of sizes.length ? sizes : [10_000, 100_000]) await measure(n);
  // The default limit: the same 100,000-node body is refused before it is parsed.
  const body = JSON.stringify({ dag: chain(100_000) });
  const app = buildApi({ auth: { insecureNoAuth: true }, weft: new WeftClient(new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }), { taskQueue: 'bench' }) });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  console.log(`100000 nodes at the default 1 MiB limit: ${res.status} after ${(performance.now() - t0).toFixed(0)} ms`);
  await app.close();
}

void main();

/**
 * The fault suite's DAG: 20 nodes in five layers (1, 6, 6, 6, 1), every node
 * an http.request POST to the ledger carrying its idempotency key. Short
 * timeouts and many retries, so a task lost with a killed process is
 * retried within seconds and the run still completes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const LEDGER_DAG = 'ledger-20';
export const LAYERS = [1, 6, 6, 6, 1] as const;

export function ledgerDag(): { name: string; nodes: Array<Record<string, unknown>> } & Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [];
  let previous: string[] = [];
  LAYERS.forEach((width, layer) => {
    const ids = Array.from({ length: width }, (_, i) => `l${layer}n${i}`);
    for (const id of ids) {
      nodes.push({ id, activity: 'http.request', ...(previous.length ? { after: previous } : {}), input: { method: 'POST', url: '{{ input.ledger }}/apply', body: { node: id, run: '{{ run.id }}' }, timeout: '3s' } });
    }
    previous = ids;
  });
  return {
    name: LEDGER_DAG,
    description: 'Fault suite: 20 side effects per run, each by idempotency key',
    defaults: { timeout: '5s', retry: { maximumAttempts: 100, initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '2s' } },
    concurrency: 20,
    nodes,
  };
}

export const NODE_IDS: string[] = (ledgerDag().nodes as Array<{ id: string }>).map((n) => n.id);

/** A DAGs folder with only the ledger DAG. */
export function ledgerDagsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-production-dags-'));
  writeFileSync(join(dir, `${LEDGER_DAG}.yaml`), stringify(ledgerDag()));
  return dir;
}

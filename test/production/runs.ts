/** Starting batches of runs and waiting for them while services die and come back. */
import type { Client } from '@temporalio/client';
import type { WeftClient } from '../../src/client/weft-client';
import { LEDGER_DAG, NODE_IDS } from './dag-ledger';
import type { Ledger } from './ledger';

export interface BatchOutcome {
  completed: string[];
  /** Runs that ended other than COMPLETED, with their status. */
  failed: Array<{ id: string; status: string }>;
  /** Runs still open at the deadline. */
  stuck: string[];
  /** When the last run completed. */
  doneAt: number;
}

export async function startBatch(weft: WeftClient, prefix: string, n: number, ledgerUrl: string): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  // Started in small groups: a burst of 50 starts is itself load on two cores.
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(ids.slice(i, i + 10).map((id) => weft.startRun({ dag: LEDGER_DAG, id, input: { ledger: ledgerUrl } })));
  }
  return ids;
}

/** Polls each run's status until none is open or `timeoutMs` passes; errors while a service restarts are retried. */
export async function waitAll(client: Client, ids: readonly string[], timeoutMs: number): Promise<BatchOutcome> {
  const pending = new Set(ids);
  const out: BatchOutcome = { completed: [], failed: [], stuck: [], doneAt: 0 };
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const id of [...pending].slice(0, 25)) {
      try {
        const d = await client.workflow.getHandle(id).describe();
        if (d.status.name === 'RUNNING') continue;
        pending.delete(id);
        if (d.status.name === 'COMPLETED') out.completed.push(id);
        else out.failed.push({ id, status: d.status.name });
        out.doneAt = Math.max(out.doneAt, d.closeTime?.getTime() ?? Date.now());
      } catch {
        // The frontend or history is restarting: ask again on the next round.
      }
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
  }
  out.stuck = [...pending];
  return out;
}

export interface SideEffects {
  expected: number;
  /** Expected keys the ledger never applied. */
  lost: string[];
  /** Keys applied more than once. With idempotency keys the ledger refuses a second application, so this counts keys that arrived under two distinct keys: none should. */
  appliedTwice: string[];
  /** Keys the ledger applied that no run should have produced. */
  unexpected: string[];
  /** Requests that repeated an applied key: retries after a kill, absorbed by the key. */
  redeliveries: number;
}

/** Compares the ledger with the keys the runs must have produced: `<workflowId>/<nodeId>`, once each. */
export function checkSideEffects(ledger: Ledger, runIds: readonly string[]): SideEffects {
  const expected = new Set(runIds.flatMap((id) => NODE_IDS.map((n) => `${id}/${n}`)));
  const mine = [...ledger.appliedAt.keys()].filter((k) => runIds.some((id) => k.startsWith(`${id}/`)));
  const lost = [...expected].filter((k) => !ledger.appliedAt.has(k));
  const unexpected = mine.filter((k) => !expected.has(k));
  // A node applied twice would show up as the same node of the same run under another key.
  const perNode = new Map<string, number>();
  for (const k of mine) {
    const node = k.split('/').slice(0, 2).join('/');
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const appliedTwice = [...perNode].filter(([, n]) => n > 1).map(([k]) => k);
  let redeliveries = 0;
  for (const k of expected) redeliveries += Math.max(0, (ledger.seen.get(k) ?? 0) - 1);
  return { expected: expected.size, lost, appliedTwice, unexpected, redeliveries };
}

/**
 * A run's status as Server-Sent Events. The server polls the client's
 * getRun and turns the differences into events:
 *
 *   event: status  the full RunView, first
 *   event: node    a NodeStatus, each time a node's state, attempts,
 *                  progress, items, error or compensation changes
 *   event: run     the final RunView, once the run has closed; the stream ends
 *   event: error   `{ error: { code, message } }` when polling failed; the stream ends
 *
 * Every event has an increasing `id:`. A client that reconnects with
 * Last-Event-ID gets a fresh `status` event (it holds everything missed) and
 * ids that continue after the one it had.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunView } from '../client/weft-client';
import type { NodeStatus, RunStatus } from '../workflows/messages';
import { toApiError } from './errors';

export type RunEventName = 'status' | 'node' | 'run' | 'error';

/** Reconnection delay suggested to EventSource clients, in ms. */
const RECONNECT_MS = 2000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

export function formatEvent(id: number, event: RunEventName, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** What a watcher of a node cares about; outputs are left out (they are only in the final view, when asked for). */
function signature(n: NodeStatus): string {
  return JSON.stringify([n.state, n.attempts, n.progress, n.items, n.error, n.reason, n.compensation, n.reused, n.ignoredError]);
}

/** The nodes of `next` that differ from `prev`, in the status's (topological) order. */
export function nodeChanges(prev: RunStatus | undefined, next: RunStatus | undefined): NodeStatus[] {
  if (!next) return [];
  const before = new Map((prev?.nodes ?? []).map((n) => [n.id, signature(n)]));
  return next.nodes.filter((n) => before.get(n.id) !== signature(n));
}

export function isClosed(view: RunView): boolean {
  return view.closedAt !== undefined;
}

export interface RunEventStreamOptions {
  /** The view already fetched (so an unknown run is a 404 before the stream starts). */
  first: RunView;
  poll: () => Promise<RunView>;
  pollMs: number;
  /** Id of the first event. */
  firstId: number;
}

export interface RunEventStream {
  stream: Readable;
  /** Ends the stream (the server is closing). */
  stop(): void;
  /** Resolves when polling has stopped, for whatever reason. */
  done: Promise<void>;
}

export function runEventStream(o: RunEventStreamOptions): RunEventStream {
  const stream = new Readable({ read() {} });
  const stopped = new AbortController();
  stream.once('close', () => stopped.abort());
  let seq = o.firstId;
  let lastWrite = Date.now();
  const write = (text: string): void => {
    if (stopped.signal.aborted || stream.destroyed || stream.readableEnded) return;
    stream.push(text);
    lastWrite = Date.now();
  };
  const send = (event: RunEventName, data: unknown): void => write(formatEvent(seq++, event, data));

  write(`retry: ${RECONNECT_MS}\n\n`);
  send('status', o.first);

  const done = (async () => {
    let last = o.first;
    try {
      while (!isClosed(last)) {
        await sleep(o.pollMs, undefined, { signal: stopped.signal });
        const next = await o.poll();
        for (const node of nodeChanges(last.status, next.status)) send('node', node);
        last = next;
        if (Date.now() - lastWrite >= KEEPALIVE_MS) write(': keep-alive\n\n');
      }
      send('run', last);
    } catch (err) {
      if (!stopped.signal.aborted) send('error', toApiError(err).toBody());
    }
    if (!stream.destroyed) stream.push(null);
  })();

  return { stream, stop: () => stopped.abort(), done };
}

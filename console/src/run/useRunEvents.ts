/**
 * A run's view, live: the API's event stream (SSE) sends the full view
 * first, then each node that changes, then the final view. EventSource sends
 * the session cookie, which is how the stream is authorised. When the stream
 * can't be opened, the view is polled instead.
 */
import { useEffect, useState } from 'react';
import { api, enc } from '../api';
import type { NodeStatus, RunView } from '../types';

const POLL_MS = 2000;

export interface LiveRun {
  view?: RunView;
  error?: string;
  /** 'live' while the stream is open, 'closed' once the run has ended, 'polling' as the fallback. */
  mode: 'connecting' | 'live' | 'polling' | 'closed';
}

/** Applies a batch of changed nodes in one pass, so a burst of events on a 5,000-node run costs one update. */
function withNodes(view: RunView, changed: ReadonlyMap<string, NodeStatus>): RunView {
  if (!view.status) return view;
  const counts = { ...view.status.counts };
  const nodes = view.status.nodes.map((n) => {
    const next = changed.get(n.id);
    if (!next) return n;
    if (next.state !== n.state) {
      counts[n.state] = (counts[n.state] ?? 1) - 1;
      counts[next.state] = (counts[next.state] ?? 0) + 1;
    }
    return next;
  });
  return { ...view, status: { ...view.status, nodes, counts } };
}

/** Node events are applied at most this often. */
const FLUSH_MS = 200;

/** `epoch` reopens the stream (after a retry starts a new execution). */
export function useRunEvents(id: string, epoch: number): LiveRun {
  const [live, setLive] = useState<LiveRun>({ mode: 'connecting' });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = (): void => {
      api<RunView>('GET', `/v1/runs/${enc(id)}`).then(
        (view) => {
          if (stopped) return;
          const closed = view.closedAt !== undefined;
          setLive({ view, mode: closed ? 'closed' : 'polling' });
          if (!closed) timer = setTimeout(poll, POLL_MS);
        },
        (err: Error) => !stopped && setLive((l) => ({ ...l, error: err.message })),
      );
    };

    const es = new EventSource(`/v1/runs/${enc(id)}/events`);
    let opened = false;
    // A closed run's stream sends its full view twice at once (`status`, then `run`); drawing it once is enough.
    let fullView: ReturnType<typeof setTimeout> | undefined;
    es.addEventListener('status', (e) => {
      opened = true;
      const data = (e as MessageEvent<string>).data;
      fullView = setTimeout(() => setLive({ view: JSON.parse(data) as RunView, mode: 'live' }), 0);
    });
    let pending = new Map<string, NodeStatus>();
    let flush: ReturnType<typeof setTimeout> | undefined;
    es.addEventListener('node', (e) => {
      const node = JSON.parse((e as MessageEvent<string>).data) as NodeStatus;
      pending.set(node.id, node);
      flush ??= setTimeout(() => {
        const batch = pending;
        pending = new Map();
        flush = undefined;
        setLive((l) => (l.view ? { ...l, view: withNodes(l.view, batch) } : l));
      }, FLUSH_MS);
    });
    es.addEventListener('run', (e) => {
      es.close();
      if (flush) clearTimeout(flush);
      if (fullView) clearTimeout(fullView);
      setLive({ view: JSON.parse((e as MessageEvent<string>).data) as RunView, mode: 'closed' });
    });
    es.onerror = () => {
      // A stream that ended with an `error` event, or never opened (404, 401): fall back to polling,
      // which also reports the API's error message.
      if (es.readyState === EventSource.CLOSED || !opened) {
        es.close();
        if (!stopped && !timer) poll();
      }
    };
    return () => {
      stopped = true;
      es.close();
      if (flush) clearTimeout(flush);
      if (fullView) clearTimeout(fullView);
      if (timer) clearTimeout(timer);
    };
  }, [id, epoch]);

  return live;
}

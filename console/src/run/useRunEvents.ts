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

function withNode(view: RunView, node: NodeStatus): RunView {
  if (!view.status) return view;
  const nodes = view.status.nodes.map((n) => (n.id === node.id ? node : n));
  const counts = { ...view.status.counts };
  const old = view.status.nodes.find((n) => n.id === node.id);
  if (old && old.state !== node.state) {
    counts[old.state] = (counts[old.state] ?? 1) - 1;
    counts[node.state] = (counts[node.state] ?? 0) + 1;
  }
  return { ...view, status: { ...view.status, nodes, counts } };
}

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
    es.addEventListener('status', (e) => {
      opened = true;
      setLive({ view: JSON.parse((e as MessageEvent<string>).data) as RunView, mode: 'live' });
    });
    es.addEventListener('node', (e) => {
      const node = JSON.parse((e as MessageEvent<string>).data) as NodeStatus;
      setLive((l) => (l.view ? { ...l, view: withNode(l.view, node) } : l));
    });
    es.addEventListener('run', (e) => {
      es.close();
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
      if (timer) clearTimeout(timer);
    };
  }, [id, epoch]);

  return live;
}

/** What the route modules share: the client, the metrics, and the API's settings. */
import type { WeftClient } from '../client/weft-client';
import type { StartGate } from './admission';
import type { ApiMetrics } from './metrics';

export interface ApiContext {
  weft: WeftClient;
  metrics: ApiMetrics;
  /** Readiness: true when the API can serve (Temporal answers). */
  ready: () => Promise<boolean>;
  /** How often an event stream polls the run's status, in ms. */
  eventsPollMs: number;
  /** Runs one poll's (or one request's) Temporal calls under the request deadline, or under `timeoutMs`. */
  withDeadline: <R>(fn: () => Promise<R>, timeoutMs?: number) => Promise<R>;
  /** Deadline of a start, in ms (longer than other requests'; see BuildApiOptions.startTimeoutMs). */
  startTimeoutMs: number;
  /** Admission control of starts: the bound on starts in flight and waiting (admission.ts). */
  startGate: StartGate;
  /** Open event streams; each is stopped when the server closes. */
  streams: Set<{ stop(): void }>;
}

/** Path of a run in the API, for Location headers. */
export function runPath(id: string): string {
  return `/v1/runs/${encodeURIComponent(id)}`;
}

/**
 * What a run's history says about one node: its activities (the latest one,
 * or a map node's items) with their evaluated input, attempts and errors with
 * stacks. The status query has none of this; the history does, and its
 * payloads go through the client's data converter, so the payload codec
 * decodes them.
 *
 * A run that continued-as-new spreads its nodes over several executions: a
 * node that started before the current execution began ran (or began) in an
 * earlier one. The reader follows the chain back (each start event names the
 * execution it continued) until it reaches the execution the node started in.
 *
 * A node that ran as a local activity has no activity events: its marker
 * names the activity by sequence number, not by node, and records no input.
 * Its details are the status's (state, attempts, times, error, output).
 */
import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Converter = Parameters<typeof decodeArrayFromPayloads>[0];

/** Most history events read for one node's details, over all executions; a larger history shows what was found in them. */
export const MAX_EVENTS_SCANNED = 50_000;
/** Most executions of a continue-as-new chain followed back. */
export const MAX_EXECUTIONS = 50;

export interface Attempt {
  activityId: string;
  /** The execution (runId) the activity ran in. */
  runId: string;
  input?: unknown;
  attempt?: number;
  state: 'scheduled' | 'started' | 'completed' | 'failed' | 'timed_out' | 'cancelled';
  error?: { message: string; type?: string; stack?: string };
}

export interface NodeHistory {
  /** By activity id: the latest activity of the node and of each of its items. */
  attempts: Attempt[];
  /** The executions read, latest first. */
  executions: string[];
  /** True when the event budget ran out before the node's first activity was found. */
  truncated: boolean;
}

async function* history(client: Client, id: string, runId: string, pageSize: number): AsyncGenerator<HistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId: id, runId }, maximumPageSize: pageSize, nextPageToken });
    for (const e of res.history?.events ?? []) yield e;
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
  } while (nextPageToken);
}

/** An event's time in ms since the epoch, or undefined. */
function eventTime(e: HistoryEvent): number | undefined {
  const t = e.eventTime;
  return t?.seconds != null ? Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined;
}

const ownsActivity = (node: string, activityId: string): boolean => activityId === node || activityId.startsWith(`${node}/`);

/** What the status says of the node, which tells how far back its activities go. */
export interface NodeClues {
  startedAt?: string;
  /** A map node's item count. */
  items?: number;
}

/**
 * Reads the node's activities from execution `runId`, then from the
 * executions it continued, for as long as the node started before the
 * execution being read, or a map node has items not found yet. A map node
 * still running at continue-as-new starts again in the next execution (its
 * finished items carried), so its startedAt alone would stop too early.
 */
export async function readNodeHistory(client: Client, id: string, runId: string, node: string, clues: NodeClues): Promise<NodeHistory> {
  const converter = client.options.loadedDataConverter;
  const byActivity = new Map<string, Attempt>();
  const executions: string[] = [];
  const startedAt = clues.startedAt ? Date.parse(clues.startedAt) : Number.NaN;
  const itemsFound = (): number => [...byActivity.keys()].filter((a) => a.startsWith(`${node}/`)).length;
  let scanned = 0;
  let next: string | undefined = runId;
  while (next && executions.length < MAX_EXECUTIONS) {
    const current: string = next;
    next = undefined;
    executions.push(current);
    // Per execution, keyed by the scheduled event's id; folded into byActivity once read, so an earlier execution never overwrites a later one.
    const found = new Map<string, Attempt>();
    let execStart: number | undefined;
    let continued: string | undefined;
    for await (const e of history(client, id, current, 1000)) {
      if (++scanned > MAX_EVENTS_SCANNED) return { attempts: [...merge(byActivity, found).values()], executions, truncated: true };
      const started = e.workflowExecutionStartedEventAttributes;
      if (started) {
        execStart = eventTime(e);
        continued = started.continuedExecutionRunId || undefined;
        continue;
      }
      await recordActivityEvent(e, node, current, found, converter);
    }
    merge(byActivity, found);
    const earlier = (execStart !== undefined && startedAt < execStart) || (clues.items !== undefined && itemsFound() < clues.items);
    if (continued && earlier) next = continued;
  }
  return { attempts: [...byActivity.values()], executions, truncated: false };
}

/** Adds an earlier execution's activities under ids the later ones have not claimed. */
function merge(into: Map<string, Attempt>, earlier: Map<string, Attempt>): Map<string, Attempt> {
  for (const a of earlier.values()) if (!into.has(a.activityId)) into.set(a.activityId, a);
  return into;
}

/** Folds one history event into the node's activities, keyed by the scheduled event's id. */
export async function recordActivityEvent(e: HistoryEvent, node: string, runId: string, byId: Map<string, Attempt>, converter: Converter): Promise<void> {
  const scheduled = e.activityTaskScheduledEventAttributes;
  if (scheduled) {
    const activityId = scheduled.activityId ?? '';
    if (!ownsActivity(node, activityId)) return;
    let input: unknown;
    try {
      [input] = await decodeArrayFromPayloads(converter, scheduled.input?.payloads);
    } catch {
      input = '(the payload could not be decoded)';
    }
    // A retried item is scheduled again under the same activity id; the latest wins.
    for (const [k, v] of byId) if (v.activityId === activityId) byId.delete(k);
    byId.set(String(e.eventId), { activityId, runId, input, state: 'scheduled' });
    return;
  }
  const ref = e.activityTaskStartedEventAttributes ?? e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
  const a = ref?.scheduledEventId != null ? byId.get(String(ref.scheduledEventId)) : undefined;
  if (!a) return;
  if (e.activityTaskStartedEventAttributes) {
    a.state = 'started';
    a.attempt = e.activityTaskStartedEventAttributes.attempt ?? undefined;
  } else if (e.activityTaskCompletedEventAttributes) a.state = 'completed';
  else if (e.activityTaskCanceledEventAttributes) a.state = 'cancelled';
  else {
    const failure = e.activityTaskFailedEventAttributes?.failure ?? e.activityTaskTimedOutEventAttributes?.failure;
    a.state = e.activityTaskFailedEventAttributes ? 'failed' : 'timed_out';
    // A timeout's cause is the last failure of the activity itself, when there was one.
    const own = e.activityTaskFailedEventAttributes ? failure : (failure?.cause ?? failure);
    if (own) a.error = errorOf(own);
  }
}

function errorOf(f: temporal.api.failure.v1.IFailure): NonNullable<Attempt['error']> {
  return {
    message: f.message ?? 'failed',
    ...(f.applicationFailureInfo?.type ? { type: f.applicationFailureInfo.type } : {}),
    ...(f.stackTrace ? { stack: f.stackTrace } : {}),
  };
}

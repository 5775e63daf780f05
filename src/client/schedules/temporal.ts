/**
 * How a Weft schedule maps onto a Temporal Schedule, and back.
 *
 * The action starts `dagRun` with the packed DAG and the input, under the
 * workflow id prefix `<schedule id>`; Temporal appends the nominal (scheduled)
 * time, so a run is `<schedule id>-2026-01-01T02:00:00Z` and each node's
 * idempotency key is `<schedule id>-<nominal time>/<node>`.
 *
 * Memos: Temporal writes a schedule's own memo once, at creation, so it holds
 * what never changes (`weftManaged: true`, and the DAG and hashes as created).
 * What `apply` compares against (the last applied definition, its hash, the
 * DAG's hash and the group) lives in the action's memo, which every update
 * rewrites; every scheduled run carries it too.
 */
import type { ScheduleDescription, ScheduleOptionsAction, ScheduleOverlapPolicy, ScheduleSpec } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { parseDuration, type DurationInput } from '../../dag/duration';
import { canonicalJson, sha256Hex } from '../../dag/hash';
import { packDag } from '../../dag/pack';
import type { CompiledDag } from '../../dag/types';
import type { DagRunArgs } from '../../workflows/dag-run';
import { OVERLAP_POLICIES, type OverlapPolicy, type ScheduleDefinition } from './definition';

import { SEARCH_ATTRIBUTE_KEYS, WORKFLOW_TYPES } from '../../temporal/search-attributes';

const DAG_RUN = WORKFLOW_TYPES.dagRun;
const SA_DAG = SEARCH_ATTRIBUTE_KEYS.dag;
const SA_STATUS = SEARCH_ATTRIBUTE_KEYS.status;

/** Memo keys of Weft schedules and of the runs they start. */
export const SCHEDULE_MEMO = {
  managed: 'weftManaged',
  dag: 'weftDag',
  dagHash: 'weftDagHash',
  specHash: 'weftSpecHash',
  spec: 'weftSpec',
  group: 'weftGroup',
  schedule: 'weftSchedule',
} as const;

function ms(value: DurationInput | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(value);
}

function iso(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

/** One value per field, so `6h` and `360m`, or two spellings of one instant, compare equal. */
export function canonicalField(def: ScheduleDefinition, field: keyof ScheduleDefinition): unknown {
  switch (field) {
    case 'input':
      return def.input ?? null;
    case 'interval':
      return def.interval ? { every: ms(def.interval.every), offset: ms(def.interval.offset) ?? 0 } : undefined;
    case 'catchupWindow':
    case 'jitter':
      return ms(def[field]);
    case 'startAt':
    case 'endAt':
      return iso(def[field]);
    default:
      return def[field];
  }
}

const HASHED_FIELDS: ReadonlyArray<keyof ScheduleDefinition> = [
  'id', 'dag', 'input', 'cron', 'interval', 'timezone', 'overlap', 'catchupWindow', 'jitter', 'paused', 'note', 'startAt', 'endAt', 'taskQueue', 'priority',
];

/** Content hash of a definition (with its task queue resolved) and its group. */
export function scheduleHash(def: ScheduleDefinition, group: string | undefined): string {
  const canonical: Record<string, unknown> = { group };
  for (const field of HASHED_FIELDS) canonical[field] = canonicalField(def, field);
  return sha256Hex(canonicalJson(canonical));
}

export function toTemporalOverlap(policy: OverlapPolicy): Exclude<ScheduleOverlapPolicy, undefined> {
  return policy.toUpperCase().replace(/-/g, '_') as Exclude<ScheduleOverlapPolicy, undefined>;
}

export function fromTemporalOverlap(policy: ScheduleOverlapPolicy): OverlapPolicy {
  const name = (policy ?? 'SKIP').toLowerCase().replace(/_/g, '-');
  return (OVERLAP_POLICIES as readonly string[]).includes(name) ? (name as OverlapPolicy) : 'skip';
}

export function toTemporalSpec(def: ScheduleDefinition): ScheduleSpec {
  const jitter = ms(def.jitter);
  return {
    ...(def.cron ? { cronExpressions: def.cron } : {}),
    ...(def.interval ? { intervals: [{ every: ms(def.interval.every)!, offset: ms(def.interval.offset) ?? 0 }] } : {}),
    ...(def.timezone ? { timezone: def.timezone } : {}),
    ...(def.startAt ? { startAt: new Date(def.startAt) } : {}),
    ...(def.endAt ? { endAt: new Date(def.endAt) } : {}),
    ...(jitter !== undefined ? { jitter } : {}),
  };
}

export function toTemporalPolicies(def: ScheduleDefinition): { overlap: Exclude<ScheduleOverlapPolicy, undefined>; catchupWindow?: number } {
  const catchupWindow = ms(def.catchupWindow);
  return { overlap: toTemporalOverlap(def.overlap), ...(catchupWindow !== undefined ? { catchupWindow } : {}) };
}

export interface ActionOptions {
  /** The definition, with its task queue resolved. */
  def: ScheduleDefinition & { taskQueue: string };
  dag: CompiledDag;
  specHash: string;
  group: string | undefined;
  searchAttributes: boolean;
}

/** The schedule's own memo, written once at creation. */
export function scheduleMemo(o: ActionOptions): Record<string, unknown> {
  return {
    [SCHEDULE_MEMO.managed]: true,
    [SCHEDULE_MEMO.dag]: o.dag.name,
    [SCHEDULE_MEMO.dagHash]: o.dag.hash,
    [SCHEDULE_MEMO.specHash]: o.specHash,
    ...(o.group !== undefined ? { [SCHEDULE_MEMO.group]: o.group } : {}),
  };
}

/** Temporal's action type leaves out `priority`, which its encoder does send. */
type ActionWithPriority = ScheduleOptionsAction & { priority?: { priorityKey: number } };

export function toTemporalAction(o: ActionOptions): ActionWithPriority {
  const { def, dag } = o;
  const args: DagRunArgs = { dag: packDag(dag), input: def.input ?? null };
  return {
    type: 'startWorkflow',
    workflowType: DAG_RUN,
    // Temporal appends the nominal time: <id>-2026-01-01T02:00:00Z.
    workflowId: def.id,
    taskQueue: def.taskQueue,
    args: [args],
    memo: {
      [SCHEDULE_MEMO.dag]: dag.name,
      [SCHEDULE_MEMO.dagHash]: dag.hash,
      [SCHEDULE_MEMO.schedule]: def.id,
      [SCHEDULE_MEMO.specHash]: o.specHash,
      [SCHEDULE_MEMO.spec]: def,
      ...(o.group !== undefined ? { [SCHEDULE_MEMO.group]: o.group } : {}),
    },
    ...(o.searchAttributes
      ? {
          typedSearchAttributes: [
            { key: SA_DAG, value: dag.name },
            { key: SA_STATUS, value: 'running' },
          ] satisfies SearchAttributePair[],
        }
      : {}),
    staticSummary: `${dag.name} (schedule ${def.id})`,
    ...(def.priority !== undefined ? { priority: { priorityKey: def.priority } } : {}),
  };
}

export function isManaged(memo: Record<string, unknown> | undefined): boolean {
  return memo?.[SCHEDULE_MEMO.managed] === true;
}

/** A run a schedule started. */
export interface ScheduleActionView {
  /** The nominal time (plus jitter): the time the run's id and idempotency keys derive from. */
  scheduledAt: string;
  takenAt: string;
  workflowId: string;
  runId: string;
}

/** A Weft schedule, as `describe` and `list` return it; plain JSON. */
export interface WeftScheduleView {
  id: string;
  dag: string;
  /** Hash of the compiled DAG the schedule starts. */
  dagHash?: string;
  /** Hash of the definition as last created or applied. */
  specHash?: string;
  /** The `apply` group; absent for schedules made with `create`. */
  group?: string;
  /** The definition as last created or applied. */
  spec?: ScheduleDefinition;
  taskQueue: string;
  overlap: OverlapPolicy;
  catchupWindowMs: number;
  state: { paused: boolean; note?: string };
  info: {
    /** The next nominal times, soonest first. */
    nextActionTimes: string[];
    /** The latest runs started (scheduled, triggered or backfilled), oldest first. */
    recentActions: ScheduleActionView[];
    runningActions: Array<{ workflowId: string; runId: string }>;
    numActionsTaken: number;
    numActionsSkippedOverlap: number;
    numActionsMissedCatchupWindow: number;
    createdAt: string;
    updatedAt?: string;
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function toView(desc: ScheduleDescription): WeftScheduleView {
  const own = desc.memo ?? {};
  const current = desc.action.memo ?? {};
  const pick = (key: string): string | undefined => str(current[key]) ?? str(own[key]);
  const spec = current[SCHEDULE_MEMO.spec];
  const group = pick(SCHEDULE_MEMO.group);
  const dagHash = pick(SCHEDULE_MEMO.dagHash);
  const specHash = pick(SCHEDULE_MEMO.specHash);
  const { info } = desc;
  return {
    id: desc.scheduleId,
    dag: pick(SCHEDULE_MEMO.dag) ?? '',
    ...(dagHash ? { dagHash } : {}),
    ...(specHash ? { specHash } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(spec && typeof spec === 'object' ? { spec: spec as ScheduleDefinition } : {}),
    taskQueue: desc.action.taskQueue,
    overlap: fromTemporalOverlap(desc.policies.overlap),
    catchupWindowMs: desc.policies.catchupWindow,
    state: { paused: desc.state.paused, ...(desc.state.note ? { note: desc.state.note } : {}) },
    info: {
      nextActionTimes: info.nextActionTimes.map((t) => t.toISOString()),
      recentActions: info.recentActions.map((a) => ({
        scheduledAt: a.scheduledAt.toISOString(),
        takenAt: a.takenAt.toISOString(),
        workflowId: a.action.workflow.workflowId,
        runId: a.action.workflow.firstExecutionRunId,
      })),
      runningActions: info.runningActions.map((a) => ({ workflowId: a.workflow.workflowId, runId: a.workflow.firstExecutionRunId })),
      numActionsTaken: info.numActionsTaken,
      numActionsSkippedOverlap: info.numActionsSkippedOverlap,
      numActionsMissedCatchupWindow: info.numActionsMissedCatchupWindow,
      createdAt: info.createdAt.toISOString(),
      ...(info.lastUpdatedAt ? { updatedAt: info.lastUpdatedAt.toISOString() } : {}),
    },
  };
}

/**
 * Periodic DAG runs on Temporal Schedules: create, inspect, pause, trigger,
 * backfill and delete them one at a time, or `apply` a schedules file as a
 * whole (diff, then create / update / delete). The CLI and the HTTP API are
 * thin layers over this class.
 *
 * Longer than 300 lines on purpose: one short method per schedule operation;
 * the diffing lives in plan.ts and the Temporal mapping in temporal.ts.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError as TemporalScheduleNotFoundError, type ScheduleDescription, type ScheduleHandle } from '@temporalio/client';
import type { CompiledDag } from '../../dag/types';
import type { WeftClient } from '../weft-client';
import { ScheduleApplyError, ScheduleConflictError, ScheduleExistsError, ScheduleFileError, ScheduleNotFoundError, ScheduleNotManagedError } from './errors';
import { loadSchedulesFile } from './load';
import { planApply, updatedState, type DesiredSchedule, type ExistingSchedule, type PlanAction, type SchedulePlanEntry } from './plan';
import type { OverlapPolicy, ScheduleDefinition, ScheduleFile } from './definition';
import { parseSchedules, type DagSource, type ScheduleInput } from './spec';
import {
  isManaged,
  SCHEDULE_MEMO,
  scheduleHash,
  scheduleMemo,
  toTemporalAction,
  toTemporalOverlap,
  toTemporalPolicies,
  toTemporalSpec,
  toView,
  type ActionOptions,
  type ScheduleActionView,
  type WeftScheduleView,
} from './temporal';

export interface WeftSchedulesOptions {
  /** Set WeftDag/WeftStatus on scheduled runs, as WeftClient.startRun does (the server must know them). @defaultValue true */
  searchAttributes?: boolean;
  /** Where named DAGs come from. @defaultValue the client's catalog (its DAGs folder) */
  dags?: DagSource;
  /** How many schedules `list` describes at once. @defaultValue 8 */
  concurrency?: number;
}

export interface ApplyOptions {
  /** Compute and return the plan; change nothing. @defaultValue false */
  dryRun?: boolean;
  /** Delete Weft-managed schedules of the file's group that the file does not list. @defaultValue false */
  prune?: boolean;
}

export interface SchedulePlan {
  /** The file, when the schedules came from one. */
  source?: string;
  group: string;
  prune: boolean;
  entries: SchedulePlanEntry[];
  counts: Record<PlanAction, number>;
}

export interface ApplyResult extends SchedulePlan {
  dryRun: boolean;
  /** The entries carried out, in plan order; empty with dryRun or when nothing changes. */
  applied: SchedulePlanEntry[];
  /** True when something was (or, with dryRun, would be) created, updated or deleted. */
  changed: boolean;
}

/** What the schedules API needs of a WeftClient. */
export type WeftClientLike = Pick<WeftClient, 'temporal' | 'taskQueue' | 'catalog'>;

/** Schedules file content: a path, a parsed file, or the raw object of one. */
export type ScheduleSource = string | ScheduleFile | Record<string, unknown> | unknown[];

const NO_DAGS: DagSource = { dagsDir: '(no DAGs folder configured)', list: () => [] };

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function countsOf(entries: readonly SchedulePlanEntry[]): Record<PlanAction, number> {
  const counts = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const e of entries) counts[e.action]++;
  return counts;
}

function toExisting(view: WeftScheduleView): ExistingSchedule {
  return {
    id: view.id,
    dag: view.dag,
    ...(view.spec ? { spec: view.spec } : {}),
    ...(view.specHash ? { specHash: view.specHash } : {}),
    ...(view.dagHash ? { dagHash: view.dagHash } : {}),
    ...(view.group !== undefined ? { group: view.group } : {}),
    paused: view.state.paused,
    ...(view.state.note ? { note: view.state.note } : {}),
  };
}

interface Prepared {
  source?: string;
  file: ScheduleFile;
  desired: Array<DesiredSchedule & { dag: CompiledDag }>;
}

export class WeftSchedules {
  constructor(
    private readonly weft: WeftClientLike,
    private readonly opts: WeftSchedulesOptions = {},
  ) {}

  private get dags(): DagSource {
    return this.opts.dags ?? this.weft.catalog ?? NO_DAGS;
  }

  private handle(id: string): ScheduleHandle {
    return this.weft.temporal.schedule.getHandle(id);
  }

  /** Validates schedules file content; throws ScheduleFileError with every problem. */
  validate(raw: unknown, source?: string): { file: ScheduleFile; dags: Map<string, CompiledDag> } {
    return parseSchedules(raw, { dags: this.dags, ...(source ? { source } : {}) });
  }

  /** Reads and validates a schedules file; throws ScheduleFileError naming the file. */
  load(file: string): { file: ScheduleFile; dags: Map<string, CompiledDag> } {
    return loadSchedulesFile(file, { dags: this.dags });
  }

  private resolve(def: ScheduleDefinition): ScheduleDefinition & { taskQueue: string } {
    return { ...def, taskQueue: def.taskQueue ?? this.weft.taskQueue };
  }

  private actionOptions(def: ScheduleDefinition, dag: CompiledDag, group: string | undefined): ActionOptions {
    const resolved = this.resolve(def);
    return { def: resolved, dag, specHash: scheduleHash(resolved, group), group, searchAttributes: this.opts.searchAttributes ?? true };
  }

  /** The Temporal description of a Weft-managed schedule. */
  private async describeManaged(id: string): Promise<ScheduleDescription> {
    let desc: ScheduleDescription;
    try {
      desc = await this.handle(id).describe();
    } catch (err) {
      if (err instanceof TemporalScheduleNotFoundError) throw new ScheduleNotFoundError(id);
      throw err;
    }
    if (!isManaged(desc.memo)) throw new ScheduleNotManagedError(id);
    return desc;
  }

  private async findManaged(id: string): Promise<WeftScheduleView | undefined> {
    try {
      return toView(await this.describeManaged(id));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    }
  }

  private async createFrom(o: ActionOptions): Promise<void> {
    const { def } = o;
    try {
      await this.weft.temporal.schedule.create({
        scheduleId: def.id,
        spec: toTemporalSpec(def),
        action: toTemporalAction(o),
        policies: toTemporalPolicies(def),
        memo: scheduleMemo(o),
        state: { paused: def.paused, ...(def.note !== undefined ? { note: def.note } : {}) },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new ScheduleExistsError(def.id);
      throw err;
    }
  }

  /**
   * Creates one schedule (not part of any apply group, so `apply --prune`
   * never deletes it). Throws ScheduleFileError for a bad definition (paths
   * such as `cron[0]`), ScheduleExistsError when the id is taken.
   */
  async create(input: ScheduleInput, opts: { group?: string } = {}): Promise<WeftScheduleView> {
    let parsed: ReturnType<WeftSchedules['validate']>;
    try {
      parsed = this.validate({ schedules: [input] });
    } catch (err) {
      if (!(err instanceof ScheduleFileError)) throw err;
      throw new ScheduleFileError(err.issues.map((i) => ({ ...i, path: i.path.replace(/^schedules\[0\]\.?/, '') || '(root)' })));
    }
    const def = parsed.file.schedules[0]!;
    await this.createFrom(this.actionOptions(def, parsed.dags.get(def.dag)!, opts.group));
    return this.describe(def.id);
  }

  /** The schedule, its state, next times and recent runs. Throws ScheduleNotFoundError or ScheduleNotManagedError. */
  async describe(id: string): Promise<WeftScheduleView> {
    return toView(await this.describeManaged(id));
  }

  /**
   * Every Weft-managed schedule, by id. Temporal lists schedules eventually
   * consistently, so one created a moment ago may be missing for a moment;
   * each listed schedule is then described, so what is shown is current.
   */
  async list(): Promise<WeftScheduleView[]> {
    const ids: string[] = [];
    for await (const s of this.weft.temporal.schedule.list()) if (isManaged(s.memo)) ids.push(s.scheduleId);
    const views = await mapLimit(ids, this.opts.concurrency ?? 8, (id) => this.findManaged(id));
    return views.filter((v): v is WeftScheduleView => v !== undefined).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Pauses the schedule; runs in flight go on. */
  async pause(id: string, note?: string): Promise<WeftScheduleView> {
    await this.describeManaged(id);
    await this.handle(id).pause(note ?? 'Paused via Weft');
    return this.describe(id);
  }

  async unpause(id: string, note?: string): Promise<WeftScheduleView> {
    await this.describeManaged(id);
    await this.handle(id).unpause(note ?? 'Unpaused via Weft');
    return this.describe(id);
  }

  /**
   * Starts a run now (its nominal time is now). Temporal starts it
   * asynchronously; with `waitMs`, this waits that long for the run to show
   * in `describe(id).info.recentActions` and returns it (undefined if it did
   * not show in time, e.g. an overlap policy skipped it).
   * @param overlap @defaultValue allow-all, so a trigger always starts a run
   */
  async trigger(id: string, overlap?: OverlapPolicy, opts: { waitMs?: number } = {}): Promise<ScheduleActionView | undefined> {
    const before = (await this.describeManaged(id)).info.numActionsTaken;
    await this.handle(id).trigger(overlap ? toTemporalOverlap(overlap) : undefined);
    const deadline = Date.now() + (opts.waitMs ?? 0);
    while (opts.waitMs) {
      const view = await this.describe(id);
      if (view.info.numActionsTaken > before) return [...view.info.recentActions].sort((a, b) => (a.takenAt < b.takenAt ? -1 : 1)).at(-1);
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return undefined;
  }

  /**
   * Takes every action the schedule would have taken from `start` to `end`,
   * now, with those nominal times (so each run's id and idempotency keys are
   * those of that time).
   * @param overlap @defaultValue buffer-all: every missed time runs, one after another
   */
  async backfill(id: string, start: Date, end: Date, overlap: OverlapPolicy = 'buffer-all'): Promise<void> {
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw new RangeError('backfill: start and end must be valid times');
    if (end <= start) throw new RangeError(`backfill: end (${end.toISOString()}) must be after start (${start.toISOString()})`);
    await this.describeManaged(id);
    await this.handle(id).backfill({ start, end, overlap: toTemporalOverlap(overlap) });
  }

  /** Deletes the schedule; runs it started are not affected. */
  async delete(id: string): Promise<void> {
    await this.describeManaged(id);
    try {
      await this.handle(id).delete();
    } catch (err) {
      if (err instanceof TemporalScheduleNotFoundError) throw new ScheduleNotFoundError(id);
      throw err;
    }
  }

  private prepare(source: ScheduleSource): Prepared {
    const { file, dags } = typeof source === 'string' ? this.load(source) : this.validate(source);
    const desired = file.schedules.map((def) => {
      const dag = dags.get(def.dag)!;
      const o = this.actionOptions(def, dag, file.group);
      return { def: o.def, specHash: o.specHash, dagHash: dag.hash, dag };
    });
    return { ...(typeof source === 'string' ? { source } : {}), file, desired };
  }

  private async planPrepared(p: Prepared, prune: boolean): Promise<SchedulePlan> {
    const existing = new Map<string, ExistingSchedule>();
    const conflicts: string[] = [];
    await mapLimit(p.desired, this.opts.concurrency ?? 8, async ({ def }) => {
      try {
        const view = await this.findManaged(def.id);
        if (view) existing.set(def.id, toExisting(view));
      } catch (err) {
        if (!(err instanceof ScheduleNotManagedError)) throw err;
        conflicts.push(def.id);
      }
    });
    if (conflicts.length) throw new ScheduleConflictError(conflicts.sort(), p.source);
    const pruneCandidates = prune ? (await this.list()).map(toExisting) : undefined;
    const entries = planApply({ desired: p.desired, existing, ...(pruneCandidates ? { pruneCandidates } : {}), group: p.file.group });
    return { ...(p.source ? { source: p.source } : {}), group: p.file.group, prune, entries, counts: countsOf(entries) };
  }

  /** The diff apply would carry out; changes nothing. */
  async plan(source: ScheduleSource, opts: { prune?: boolean } = {}): Promise<SchedulePlan> {
    return this.planPrepared(this.prepare(source), opts.prune ?? false);
  }

  /**
   * Makes Temporal match a schedules file: creates what is missing, updates
   * what changed, and with `prune` deletes Weft-managed schedules of the same
   * group that the file no longer lists. Applying the same file twice changes
   * nothing the second time. Schedules Weft does not manage are never
   * touched; an id that belongs to one fails the apply before any change.
   */
  async apply(source: ScheduleSource, opts: ApplyOptions = {}): Promise<ApplyResult> {
    const prepared = this.prepare(source);
    const plan = await this.planPrepared(prepared, opts.prune ?? false);
    const dryRun = opts.dryRun ?? false;
    const changes = plan.entries.filter((e) => e.action !== 'unchanged');
    const result: ApplyResult = { ...plan, dryRun, applied: [], changed: changes.length > 0 };
    if (dryRun) return result;
    const byId = new Map(prepared.desired.map((d) => [d.def.id, d]));
    for (const entry of changes) {
      try {
        await this.carryOut(entry, byId.get(entry.id), prepared.file.group);
      } catch (err) {
        throw new ScheduleApplyError(result.applied, entry, err);
      }
      result.applied.push(entry);
    }
    return result;
  }

  private async carryOut(entry: SchedulePlanEntry, desired: (DesiredSchedule & { dag: CompiledDag }) | undefined, group: string): Promise<void> {
    if (entry.action === 'delete') {
      await this.handle(entry.id).delete();
      return;
    }
    const o = this.actionOptions(desired!.def, desired!.dag, group);
    if (entry.action === 'create') {
      await this.createFrom(o);
      return;
    }
    await this.handle(entry.id).update((prev) => {
      const last = prev.action.memo?.[SCHEDULE_MEMO.spec] as ScheduleDefinition | undefined;
      return {
        spec: toTemporalSpec(o.def),
        action: toTemporalAction(o),
        policies: toTemporalPolicies(o.def),
        state: updatedState(last, o.def, { paused: prev.state.paused, ...(prev.state.note ? { note: prev.state.note } : {}) }),
      };
    });
  }
}

/**
 * The shard's bookkeeping, pure and deterministic: the pending queue, the
 * running set, the finished jobs it still remembers, de-duplication, and what
 * it carries into the next run. The shard workflow (shard.ts) drives it.
 */
import type { NodeError } from '../messages';
import { SHARD_DEFAULTS, type FinishedJob, type JobSpec, type JobState, type JobView, type ShardCarry, type ShardCounts, type ShardOptions, type ShardSummary } from './types';

interface Running {
  job: JobSpec;
  startedAt: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function jsonLength(value: unknown): number {
  return value === undefined ? 0 : (JSON.stringify(value)?.length ?? 0);
}

export class ShardBook {
  /** Pending jobs in arrival order; `head` advances instead of shifting, so taking the next job is O(1). */
  private pending: JobSpec[];
  private head = 0;
  private readonly pendingIds = new Map<string, JobSpec>();
  private readonly running = new Map<string, Running>();
  /** Finished jobs by id, oldest first (Map keeps insertion order). */
  private readonly finished = new Map<string, FinishedJob>();
  private keptOutputChars = 0;
  /** JSON characters of the pending jobs: what they would add to the continue-as-new input. */
  private pendingJson = 0;
  readonly counts: ShardCounts;
  readonly generation: number;

  constructor(
    readonly queue: string,
    readonly shard: number,
    carried?: ShardCarry,
  ) {
    this.pending = carried?.pending ? [...carried.pending] : [];
    for (const j of this.pending) {
      this.pendingIds.set(j.id, j);
      this.pendingJson += jsonLength(j);
    }
    for (const f of carried?.finished ?? []) {
      this.finished.set(f.id, f);
      this.keptOutputChars += jsonLength(f.output);
    }
    this.counts = carried?.counts ?? { accepted: 0, duplicates: 0, succeeded: 0, failed: 0 };
    this.generation = carried?.generation ?? 0;
  }

  get pendingCount(): number {
    return this.pending.length - this.head;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Accepts a job unless its id is pending, running or remembered as finished.
   * A retry is accepted over a remembered failure (and only over a failure or a forgotten id).
   */
  submit(job: JobSpec): boolean {
    const done = this.finished.get(job.id);
    const duplicate = this.pendingIds.has(job.id) || this.running.has(job.id) || (done !== undefined && !(job.retry && done.state === 'failed'));
    if (duplicate) {
      this.counts.duplicates++;
      return false;
    }
    if (done) this.forget(job.id);
    this.pending.push(job);
    this.pendingIds.set(job.id, job);
    this.pendingJson += jsonLength(job);
    this.counts.accepted++;
    return true;
  }

  /** Takes the next pending job and marks it running. */
  start(now: number): JobSpec | undefined {
    if (this.head >= this.pending.length) return undefined;
    const job = this.pending[this.head++]!;
    // Compact now and then, so the array does not keep every job ever taken.
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.pendingIds.delete(job.id);
    this.pendingJson -= jsonLength(job);
    this.running.set(job.id, { job, startedAt: now });
    return job;
  }

  succeeded(id: string, now: number, output: unknown, attempt: number | undefined): void {
    const r = this.take(id);
    const size = jsonLength(output);
    const keep = size <= SHARD_DEFAULTS.maxKeptOutputChars && this.keptOutputChars + size <= SHARD_DEFAULTS.maxKeptOutputTotalChars;
    if (keep) this.keptOutputChars += size;
    this.remember({
      ...this.base(r, now),
      state: 'succeeded',
      ...(attempt !== undefined ? { attempt } : {}),
      ...(keep ? { output: output ?? null } : { outputDropped: true }),
    });
    this.counts.succeeded++;
  }

  failed(id: string, now: number, error: NodeError, attempt: number | undefined, failedRecord: string): void {
    const r = this.take(id);
    this.remember({ ...this.base(r, now), state: 'failed', error, failedRecord, ...(attempt !== undefined ? { attempt } : {}) });
    this.counts.failed++;
  }

  /** Forgets finished jobs past the retention window or over the bound, oldest first. */
  expire(now: number, options: ShardOptions): void {
    const retention = options.retentionMs ?? SHARD_DEFAULTS.retentionMs;
    const max = options.maxRemembered ?? SHARD_DEFAULTS.maxRemembered;
    for (const [id, f] of this.finished) {
      if (this.finished.size <= max && now - f.finishedAt < retention) break;
      this.forget(id);
    }
  }

  /** Characters of JSON the pending jobs would add to the continue-as-new input. */
  get pendingChars(): number {
    return this.pendingJson;
  }

  carry(): ShardCarry {
    return { pending: this.pending.slice(this.head), finished: [...this.finished.values()], counts: this.counts, generation: this.generation + 1 };
  }

  view(id: string): JobView | null {
    const pendingJob = this.pendingIds.get(id);
    if (pendingJob) return { ...this.viewBase(pendingJob.id, pendingJob.call.activity, pendingJob.submittedAt), state: 'pending' };
    const r = this.running.get(id);
    if (r) return { ...this.viewBase(id, r.job.call.activity, r.job.submittedAt), state: 'running', startedAt: iso(r.startedAt) };
    const f = this.finished.get(id);
    if (!f) return null;
    return {
      ...this.viewBase(f.id, f.activity, f.submittedAt),
      state: f.state,
      startedAt: iso(f.startedAt),
      finishedAt: iso(f.finishedAt),
      ...(f.attempt !== undefined ? { attempt: f.attempt } : {}),
      ...('output' in f ? { output: f.output } : {}),
      ...(f.outputDropped ? { outputDropped: true as const } : {}),
      ...(f.error ? { error: f.error } : {}),
      ...(f.failedRecord ? { failedRecord: f.failedRecord } : {}),
    };
  }

  /** Newest first: running, then pending, then finished; optionally one state only. */
  list(state: JobState | undefined, limit: number): JobView[] {
    const out: JobView[] = [];
    const push = (id: string): boolean => {
      const v = this.view(id);
      if (v && (!state || v.state === state)) out.push(v);
      return out.length >= limit;
    };
    for (const id of this.running.keys()) if (push(id)) return out;
    for (let i = this.head; i < this.pending.length && (!state || state === 'pending'); i++) if (push(this.pending[i]!.id)) return out;
    const done = [...this.finished.keys()];
    for (let i = done.length - 1; i >= 0; i--) if (push(done[i]!)) return out;
    return out;
  }

  summary(): ShardSummary {
    return { queue: this.queue, shard: this.shard, pending: this.pendingCount, running: this.running.size, remembered: this.finished.size, counts: this.counts, generation: this.generation };
  }

  private viewBase(id: string, activity: string, submittedAt: number): Omit<JobView, 'state'> {
    return { id, queue: this.queue, shard: this.shard, activity, submittedAt: iso(submittedAt) };
  }

  private take(id: string): Running {
    const r = this.running.get(id);
    if (!r) throw new Error(`job ${id} is not running in shard ${this.queue}:${this.shard}`);
    this.running.delete(id);
    return r;
  }

  private base(r: Running, now: number): Omit<FinishedJob, 'state'> {
    return { id: r.job.id, activity: r.job.call.activity, submittedAt: r.job.submittedAt, startedAt: r.startedAt, finishedAt: now };
  }

  private remember(f: FinishedJob): void {
    this.finished.delete(f.id);
    this.finished.set(f.id, f);
  }

  private forget(id: string): void {
    const f = this.finished.get(id);
    if (!f) return;
    this.keptOutputChars -= jsonLength(f.output);
    this.finished.delete(id);
  }
}

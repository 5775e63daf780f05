/**
 * What a schedule is, as plain data: the shapes that spec.ts validates into
 * and that plan.ts and temporal.ts work on. It imports nothing of the
 * schedules code, so the pure planning code does not reach the validation
 * code (and its errors) through it, and no import runs in a circle.
 */
import type { DurationInput } from '../../dag/duration';

/** What Temporal does when a run is due while the previous one is still running. */
export const OVERLAP_POLICIES = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** One schedule after validation: cron is always a list, defaults are filled in. */
export interface ScheduleDefinition {
  id: string;
  dag: string;
  input?: unknown;
  cron?: string[];
  interval?: { every: DurationInput; offset?: DurationInput };
  timezone?: string;
  /** @defaultValue skip */
  overlap: OverlapPolicy;
  /** @defaultValue Temporal's: 1 year */
  catchupWindow?: DurationInput;
  jitter?: DurationInput;
  /** @defaultValue false */
  paused: boolean;
  note?: string;
  startAt?: string;
  endAt?: string;
  /** @defaultValue the client's task queue */
  taskQueue?: string;
  priority?: number;
}

/** A validated schedules file. */
export interface ScheduleFile {
  /** @defaultValue default */
  group: string;
  schedules: ScheduleDefinition[];
}

/**
 * Periodic work: Weft schedules are Temporal Schedules that start `dagRun`
 * runs of a named DAG. Manage them one at a time or declaratively from a
 * schedules file (`WeftSchedules.apply`). See docs/schedules.md.
 *
 *   const schedules = new WeftSchedules(await createWeftClient());
 *   const result = await schedules.apply('schedules.yaml', { prune: true });
 */
export { WeftSchedules, type WeftSchedulesOptions, type ApplyOptions, type ApplyResult, type SchedulePlan, type ScheduleSource, type WeftClientLike } from './schedules/weft-schedules';
export { OVERLAP_POLICIES, type OverlapPolicy, type ScheduleDefinition, type ScheduleFile } from './schedules/definition';
export {
  SCHEDULE_ID_PATTERN,
  DEFAULT_SCHEDULE_GROUP,
  MIN_CATCHUP_WINDOW_MS,
  scheduleEntrySchema,
  scheduleFileSchema,
  validateSchedules,
  parseSchedules,
  type ScheduleInput,
  type DagSource,
  type ValidateSchedulesOptions,
  type ScheduleValidation,
} from './schedules/spec';
export { cronError, normalizeCron, CRON_SHORTHANDS } from './schedules/cron';
export { parseIsoTime, timezoneError } from './schedules/time';
export { readSchedulesFile, loadSchedulesFile } from './schedules/load';
export { planApply, diffDefinitions, updatedState, type PlanAction, type FieldChange, type SchedulePlanEntry, type ExistingSchedule, type DesiredSchedule } from './schedules/plan';
export { SCHEDULE_MEMO, scheduleHash, type WeftScheduleView, type ScheduleActionView } from './schedules/temporal';
export {
  ScheduleFileError,
  ScheduleNotFoundError,
  ScheduleNotManagedError,
  ScheduleExistsError,
  ScheduleConflictError,
  ScheduleApplyError,
  type ScheduleIssue,
  type ScheduleIssueCode,
} from './schedules/errors';
export { describeWhen, formatValue, formatChange, formatPlanEntry } from './schedules/format';

/**
 * Activities: the registry, the helpers activities use (idempotency key,
 * progress, once), and the built-ins. Worker-side code: never import this
 * from src/workflows (use `import type` there).
 */
export {
  defineActivity,
  isActivityDefinition,
  ActivityRegistry,
  type ActivityDefinition,
  type ActivitySpec,
  type AnyActivityDefinition,
  type WorkerActivities,
} from './registry';
export { loadActivityModules, activitiesOfModule, type LoadedActivityModule } from './modules';
export { createActivityRegistry, type CreateActivityRegistryOptions } from './create-registry';
export { idempotencyKey, idempotencyKeyOf, progress, activityContext, type ActivityContext, type ProgressDetails } from './context';
export { describeIssues, type ActivityInputIssue } from './validation';
export {
  ACTIVITY_FAILURE_TYPES,
  ActivityDefinitionError,
  ActivityModuleError,
  DuplicateActivityError,
  IdempotencyStoreConfigError,
  IdempotencyStoreNotSetError,
  NotInActivityError,
} from './errors';
export * from './idempotency';
export * from './builtins';

/** Weft's public API: define DAGs and activities, run them, and inspect runs. */
export * from './dag';
export * from './client';
export { defineActivity, idempotencyKey, progress, once, type ActivityContext } from './activities';
export type { RunStatus, NodeStatus, ApprovalDecision, ApprovalResult } from './workflows/messages';
export * from './outbox';

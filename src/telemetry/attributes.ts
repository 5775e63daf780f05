/**
 * Span attribute and metric label names Weft adds, defined once. Imports
 * nothing, so workflow interceptors may use it too.
 */
export const WEFT_ATTR = {
  dag: 'weft.dag',
  node: 'weft.node',
  attempt: 'weft.attempt',
  idempotencyKey: 'weft.idempotency_key',
  runId: 'weft.run_id',
} as const;

/** The node id of an activity id: `<nodeId>[/<mapIndex>|/compensate]` → `<nodeId>`, so labels stay bounded. */
export function nodeOf(activityId: string): string {
  const slash = activityId.indexOf('/');
  return slash < 0 ? activityId : activityId.slice(0, slash);
}

/** Temporal header carrying the DAG name from the workflow to its activities (metrics and logs label by it). */
export const DAG_HEADER = 'weft-dag';

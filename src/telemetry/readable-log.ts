/**
 * The `pretty` log format: one short line per record, for a person at a
 * terminal. pino writes JSON lines into this stream, which renders them as
 *
 *   14:02:07 INFO  run started  dag=image-pipeline run=image-pipeline-1a2b
 *   14:02:09 WARN  node failed  dag=image-pipeline run=… node=resize error=HTTP 503 from GET …
 *
 * Identity fields come first, then the error message, then other short
 * fields; Temporal's bookkeeping fields and long values are left out (the
 * json format keeps everything).
 */
const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };

/** Shown first, under these short names. */
const FIRST: [string, string][] = [
  ['dag', 'dag'],
  ['run', 'run'],
  ['nodeId', 'node'],
  ['attempt', 'attempt'],
];

/**
 * The SDK's workflow lifecycle lines: Weft's own run events (run started,
 * run failed, …, with the DAG name) say the same, so on a terminal these are
 * left out.
 */
const REPEATED = new Set(['Workflow started', 'Workflow completed', 'Workflow failed', 'Workflow completed as cancelled', 'Workflow continued as new']);

/** The SDK's wording, in Weft's terms. */
const RENAMED: Record<string, string> = { 'Activity failed': 'attempt failed' };

/** Bookkeeping that says nothing to a reader of one line. */
const HIDDEN = new Set([
  'level', 'time', 'msg', 'pid', 'hostname', 'name', 'component', 'sdkComponent', 'event', 'namespace', 'taskQueue', 'activityType', 'activityId',
  'workflowType', 'workflowId', 'workflowRunId', 'runId', 'isLocal', 'taskToken', 'trace_id', 'span_id', 'trace_flags', 'err', 'error', 'durationMs', 'traceId',
]);

const MAX_VALUE = 80;

function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function short(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? undefined : text;
}

function errorText(record: Record<string, unknown>): string | undefined {
  const e = record.error ?? record.err;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
  return undefined;
}

function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date();
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** One JSON log record → one line (without the newline), or undefined for a line not worth showing. */
export function formatRecord(json: string, color: boolean): string | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const msg = typeof record.msg === 'string' ? record.msg : '';
  if (record.sdkComponent === 'workflow' && REPEATED.has(msg)) return undefined;
  // A Weft run is its workflow id; Temporal's run id names one execution of it.
  record.run = record.workflowId ?? record.runId;
  const level = typeof record.level === 'number' ? record.level : 30;
  const parts = [paint(color, '90', clock(record.time)), paint(color, LEVEL_COLORS[level] ?? '0', (LEVEL_NAMES[level] ?? 'INFO').padEnd(5)), paint(color, '1', RENAMED[msg] ?? msg)];
  for (const [key, label] of FIRST) {
    const v = short(record[key]);
    if (v !== undefined) parts.push(`${paint(color, '36', label)}=${v}`);
  }
  if (typeof record.durationMs === 'number') parts.push(`${paint(color, '36', 'took')}=${record.durationMs >= 1000 ? `${(record.durationMs / 1000).toFixed(1)}s` : `${Math.round(record.durationMs)}ms`}`);
  const error = errorText(record);
  if (error) parts.push(paint(color, '31', `error=${error.split('\n')[0]!.slice(0, 300)}`));
  for (const [key, value] of Object.entries(record)) {
    if (HIDDEN.has(key) || FIRST.some(([k]) => k === key)) continue;
    const v = short(value);
    if (v !== undefined) parts.push(`${paint(color, '90', key)}=${v}`);
  }
  const traceId = record.traceId ?? record.trace_id;
  if (typeof traceId === 'string') parts.push(paint(color, '90', `trace=${traceId}`));
  return parts.join(' ');
}

/** A pino destination that writes readable lines to `out`. */
export function readableStream(out: NodeJS.WritableStream, color: boolean): { write(chunk: string): boolean } {
  return {
    write: (chunk) => {
      const line = formatRecord(chunk, color);
      return line === undefined ? true : out.write(`${line}\n`);
    },
  };
}

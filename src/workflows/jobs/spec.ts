/**
 * What a caller may say about one job, checked once at the edge (client, CLI,
 * API) with the DAG format's own schemas: a job is one activity node, so its
 * activity name, retry policy and timeouts are validated and compiled by the
 * same code as a DAG node's, and mean the same. Not imported by any workflow.
 */
import { z } from 'zod';
import { compileDag } from '../../dag/compile';
import { ACTIVITY_NAME_PATTERN, retrySchema, timeoutSchema } from '../../dag/schema';
import { DagValidationError } from '../../dag/validate';
import type { CompiledActivityCall } from '../../dag/types';
import { ERROR_KINDS } from '../../errors/kinds';
import { WeftError } from '../../errors/weft-error';

/** Queue names: they become `WeftDag=jobs.<queue>` and part of workflow ids. */
export const QUEUE_NAME_PATTERN = /^[a-z0-9._-]{1,100}$/;
/** Job keys: no `/`, which separates the queue from the key in a job id. */
export const JOB_KEY_PATTERN = /^[A-Za-z0-9._:@-]{1,200}$/;
/** Largest job input, as JSON characters: it travels in a signal and may be carried across continue-as-new. */
export const MAX_JOB_INPUT_CHARS = 65_536;

export interface JobIssue {
  /** Where, e.g. `retry.maximumAttempts` or `jobs[3].activity`. */
  path: string;
  message: string;
}

export class JobValidationError extends WeftError {
  override readonly name = 'JobValidationError';
  readonly kind = ERROR_KINDS.INVALID;
  constructor(readonly issues: readonly JobIssue[]) {
    super(`Invalid job:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
  }
}

const jobSchema = z
  .object({
    queue: z.string().regex(QUEUE_NAME_PATTERN, 'expected a queue name of 1–100 lowercase letters, digits, ".", "_" and "-"'),
    key: z.string().regex(JOB_KEY_PATTERN, 'expected a key of 1–200 letters, digits and . _ : @ - (no "/")').optional(),
    activity: z.string().regex(ACTIVITY_NAME_PATTERN, 'expected a registry name such as http.request'),
    input: z.unknown().optional(),
    retry: retrySchema.optional(),
    timeout: timeoutSchema.optional(),
  })
  .strict();

export type JobDefinition = z.input<typeof jobSchema>;

export interface CompiledJob {
  queue: string;
  key?: string;
  call: CompiledActivityCall;
  input: unknown;
}

function pathOf(path: ReadonlyArray<PropertyKey>, prefix: string): string {
  let out = prefix;
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(root)';
}

function inputIssue(input: unknown, prefix: string): JobIssue | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch (err) {
    return { path: pathOf(['input'], prefix), message: `must be JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (json === undefined) return { path: pathOf(['input'], prefix), message: 'must be JSON (got a function or undefined)' };
  if (json.length > MAX_JOB_INPUT_CHARS) return { path: pathOf(['input'], prefix), message: `is ${json.length} characters of JSON; a job input is at most ${MAX_JOB_INPUT_CHARS} (pass a reference, e.g. a URL, for larger data)` };
  return undefined;
}

/**
 * Validates one job and compiles its activity call as a DAG node's would be.
 * `prefix` names where the job sits in a larger request (`jobs[3]`).
 */
export function compileJob(raw: unknown, opts: { activities?: Iterable<string>; prefix?: string } = {}): CompiledJob {
  const prefix = opts.prefix ?? '';
  const parsed = jobSchema.safeParse(raw);
  if (!parsed.success) {
    throw new JobValidationError(
      parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: pathOf([...i.path, k], prefix), message: `unknown field "${k}" (a job takes queue, key, activity, input, retry, timeout)` })) : [{ path: pathOf(i.path, prefix), message: i.message }],
      ),
    );
  }
  const job = parsed.data;
  const issues: JobIssue[] = [];
  const bad = inputIssue(job.input ?? null, prefix);
  if (bad) issues.push(bad);
  if (typeof job.timeout === 'object' && job.timeout.heartbeat !== undefined) {
    issues.push({ path: pathOf(['timeout', 'heartbeat'], prefix), message: 'a job runs as a local activity, which has no heartbeat timeout; use startToClose (or run it as a DAG node)' });
  }
  let call: CompiledActivityCall | undefined;
  try {
    // The node's input stays out: a job's input is literal data, never a template.
    const dag = compileDag({ name: 'job', nodes: [{ id: 'job', activity: job.activity, ...(job.retry ? { retry: job.retry } : {}), ...(job.timeout !== undefined ? { timeout: job.timeout } : {}) }] }, opts.activities ? { activities: opts.activities } : {});
    call = dag.nodes[0]!.call!;
  } catch (err) {
    if (!(err instanceof DagValidationError)) throw err;
    for (const i of err.issues) issues.push({ path: pathOf([], prefix) === '(root)' ? i.path.replace(/^nodes\[0\]\./, '') : `${prefix}.${i.path.replace(/^nodes\[0\]\./, '')}`, message: i.message });
  }
  if (issues.length || !call) throw new JobValidationError(issues);
  // A local activity has no heartbeat; the built-ins' default heartbeat timeout does not apply.
  const { heartbeatMs: _heartbeat, ...timeouts } = call.timeouts;
  return { queue: job.queue, ...(job.key !== undefined ? { key: job.key } : {}), call: { ...call, timeouts }, input: job.input ?? null };
}

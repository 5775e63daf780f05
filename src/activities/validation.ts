/**
 * Turns zod issues on an activity's input or output into a non-retryable
 * `ApplicationFailure` whose message names each bad path and value: a retry
 * cannot fix bad input, so the node fails at once with something a user can act on.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ACTIVITY_FAILURE_TYPES } from './errors';

export interface ActivityInputIssue {
  /** `url`, `headers.accept`, `items[2].id`; `(input)` for the whole value. */
  path: string;
  message: string;
  /** The offending value, abbreviated; absent when the field was missing. */
  value?: string;
}

type ZodIssue = z.ZodError['issues'][number];

const MAX_VALUE_CHARS = 80;

function formatPath(path: ReadonlyArray<PropertyKey>, root: string): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || root;
}

export function abbreviate(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function flatten(issues: readonly ZodIssue[], prefix: readonly PropertyKey[], root: string): ActivityInputIssue[] {
  return issues.flatMap((issue): ActivityInputIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // Report the branch that got furthest: the one whose issues are not all "wrong type at the top".
      const branch = issue.errors.find((b) => b.length > 0 && !b.every((i) => i.code === 'invalid_type' && i.path.length === 0)) ?? issue.errors[0];
      if (branch?.length) return flatten(branch, path, root);
    }
    if (issue.code === 'unrecognized_keys') {
      const obj = issue.input ?? {};
      return issue.keys.map((key) => ({ path: formatPath([...path, key], root), message: 'unknown field', value: abbreviate(obj[key]) }));
    }
    const out: ActivityInputIssue = { path: formatPath(path, root), message: issue.message };
    if ('input' in issue && issue.input !== undefined) out.value = abbreviate(issue.input);
    return [out];
  });
}

export function describeIssues(error: z.ZodError, root = '(input)'): ActivityInputIssue[] {
  return flatten(error.issues, [], root);
}

function failure(kind: 'input' | 'output', activityName: string, error: z.ZodError): ApplicationFailure {
  const issues = describeIssues(error, kind === 'input' ? '(input)' : '(output)');
  const lines = issues.map((i) => `${i.path}: ${i.message}${i.value === undefined ? ' (missing)' : ` (got ${i.value})`}`);
  return ApplicationFailure.create({
    message: `Invalid ${kind} ${kind === 'input' ? 'for' : 'from'} activity "${activityName}": ${lines.join('; ')}`,
    type: kind === 'input' ? ACTIVITY_FAILURE_TYPES.invalidInput : ACTIVITY_FAILURE_TYPES.invalidOutput,
    nonRetryable: true,
    details: [{ activity: activityName, issues }],
  });
}

export const invalidInputFailure = (activityName: string, error: z.ZodError): ApplicationFailure => failure('input', activityName, error);
export const invalidOutputFailure = (activityName: string, error: z.ZodError): ApplicationFailure => failure('output', activityName, error);

/** The schedules file: every problem is reported, each with its path; a valid file is normalized. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DagCatalog } from '../../../src/client';
import { loadSchedulesFile, ScheduleFileError, timezoneError, validateSchedules, type ScheduleIssue } from '../../../src/client/schedules';

const FIXTURES = 'test/fixtures/schedules';
const dags = new DagCatalog(`${FIXTURES}/dags`);

function issuesOf(raw: unknown): ScheduleIssue[] {
  const result = validateSchedules(raw, { dags });
  if (result.ok) throw new Error('expected the schedules to be invalid');
  return result.issues;
}

function issuesOfFile(file: string): readonly ScheduleIssue[] {
  try {
    loadSchedulesFile(file, { dags });
  } catch (err) {
    if (err instanceof ScheduleFileError) return err.issues;
    throw err;
  }
  throw new Error(`expected ${file} to be invalid`);
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'weft-schedules-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const one = (fields: Record<string, unknown>): unknown => ({ schedules: [{ id: 'a', dag: 'sched-echo', cron: '0 2 * * *', ...fields }] });

describe('validateSchedules', () => {
  it('reports every problem of a file at once, each with its path and the schedule it belongs to', () => {
    const issues = issuesOfFile(`${FIXTURES}/invalid.yaml`);
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['schedules[0]', 'schema'],
      ['schedules[1]', 'schema'],
      ['schedules[2].cron[1]', 'bad_cron'],
      ['schedules[2].cron[2]', 'bad_cron'],
      ['schedules[3].dag', 'unknown_dag'],
      ['schedules[4].overlap', 'schema'],
      ['schedules[4].catchupWindow', 'bad_duration'],
      ['schedules[4].colour', 'unknown_field'],
      ['schedules[4].timezone', 'bad_timezone'],
      ['schedules[5].input.report', 'bad_input'],
      ['schedules[6].interval.offset', 'bad_duration'],
      ['schedules[6].id', 'duplicate_id'],
      ['schedules[6].dag', 'invalid_dag'],
    ]);
  });

  it('names the bad cron expression and the number of fields it expected', () => {
    const [issue] = issuesOf(one({ cron: ['0 2 * * *', 'x'] }));
    expect(issue).toEqual({
      path: 'schedules[0].cron[1]',
      code: 'bad_cron',
      message: 'invalid cron expression "x" (expected 5 fields: minute hour day-of-month month day-of-week, or 6 with a year after them; got 1)',
    });
  });

  it('reports a single cron string at the cron path', () => {
    expect(issuesOf(one({ cron: '0 0 * * 1#2' }))[0]!.path).toBe('schedules[0].cron');
  });

  it('requires exactly one of cron and interval', () => {
    expect(issuesOf({ schedules: [{ id: 'a', dag: 'sched-echo' }] })[0]!.message).toContain('give when it runs: cron');
    expect(issuesOf(one({ interval: { every: '1h' } }))[0]!.message).toBe('give either cron or interval, not both');
  });

  it('names an unknown DAG and lists the known ones', () => {
    expect(issuesOf(one({ dag: 'nope' }))[0]).toEqual({
      path: 'schedules[0].dag',
      code: 'unknown_dag',
      message: `no DAG named "nope" in ${FIXTURES}/dags (known: sched-broken, sched-echo, sched-report)`,
    });
  });

  it('reports a duplicate id where it repeats, naming the first', () => {
    const issues = issuesOf({ schedules: [{ id: 'a', dag: 'sched-echo', cron: '@daily' }, { id: 'a', dag: 'sched-echo', cron: '@hourly' }] });
    expect(issues).toEqual([{ path: 'schedules[1].id', code: 'duplicate_id', message: 'duplicate schedule id "a" (first defined at schedules[0])' }]);
  });

  it('checks the input against the DAG input schema', () => {
    const issues = issuesOf({ schedules: [{ id: 'r', dag: 'sched-report', cron: '@daily', input: { report: 5 } }] });
    expect(issues).toEqual([{ path: 'schedules[0].input.report', code: 'bad_input', message: 'must be string (the input schema of DAG "sched-report")' }]);
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'schedules[0].timezone', 'unknown time zone "Mars/Olympus"'],
    [{ timezone: 'europe/berlin' }, 'schedules[0].timezone', 'time zone names are case-sensitive: did you mean Europe/Berlin?'],
    [{ timezone: '+01:00' }, 'schedules[0].timezone', 'expected an IANA time zone'],
    [{ overlap: 'never' }, 'schedules[0].overlap', 'expected one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all'],
    [{ catchupWindow: '5s' }, 'schedules[0].catchupWindow', "expected at least 10s (Temporal's minimum)"],
    [{ jitter: 'a bit' }, 'schedules[0].jitter', 'expected a duration such as 500ms'],
    [{ startAt: 'tomorrow' }, 'schedules[0].startAt', 'expected an ISO 8601 time with a time zone'],
    [{ startAt: '2026-01-01T00:00:00' }, 'schedules[0].startAt', 'expected an ISO 8601 time with a time zone'],
    [{ startAt: '2026-02-01T00:00:00Z', endAt: '2026-01-01T00:00:00Z' }, 'schedules[0].endAt', 'must be after startAt'],
    [{ priority: 9 }, 'schedules[0].priority', '<=5'],
    [{ paused: 'yes' }, 'schedules[0].paused', 'expected boolean'],
    [{ id: 'has space' }, 'schedules[0].id', 'expected letters, digits'],
    [{ cron: 5 }, 'schedules[0].cron', 'expected a cron expression or a list of them'],
    [{ cron: [] }, 'schedules[0].cron', 'give at least one cron expression'],
    [{ retries: 3 }, 'schedules[0].retries', 'unknown field "retries"'],
  ])('rejects %j at its path', (fields, path, message) => {
    const issues = issuesOf(one(fields));
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it.each([
    [{ cron: undefined, interval: { every: '500ms' } }, 'schedules[0].interval.every', 'expected at least 1s'],
    [{ cron: undefined, interval: { every: '1h', offset: '1h' } }, 'schedules[0].interval.offset', 'expected an offset shorter than every'],
    [{ cron: undefined, interval: { every: '1h', phase: '1m' } }, 'schedules[0].interval.phase', 'unknown field "phase"'],
  ])('checks intervals: %j', (fields, path, message) => {
    const issues = issuesOf(one(fields));
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it('rejects unknown top-level fields and a missing list', () => {
    expect(issuesOf({ schedules: [], owner: 'me' })).toEqual([{ path: 'owner', code: 'unknown_field', message: 'unknown field "owner"' }]);
    expect(issuesOf({ group: 'g' })[0]!.path).toBe('schedules');
  });

  it('normalizes a valid file: cron becomes a list, defaults are filled in, the group defaults to "default"', () => {
    const { file, dags: compiled } = loadSchedulesFile(`${FIXTURES}/valid.yaml`, { dags });
    expect(file).toEqual({
      group: 'default',
      schedules: [
        { id: 'fixture-nightly', dag: 'sched-report', input: { report: 'daily' }, cron: ['0 2 * * *'], timezone: 'Europe/Berlin', overlap: 'skip', paused: false },
        { id: 'fixture-every-6h', dag: 'sched-echo', interval: { every: '6h', offset: '30m' }, overlap: 'buffer-one', paused: true, note: 'waiting for the launch' },
      ],
    });
    expect([...compiled.keys()].sort()).toEqual(['sched-echo', 'sched-report']);
  });

  it('accepts a bare list of schedules, and its normalized form again', () => {
    const result = validateSchedules([{ id: 'a', dag: 'sched-echo', cron: '@daily' }], { dags });
    expect(result.ok).toBe(true);
    if (result.ok) expect(validateSchedules(result.file, { dags }).ok).toBe(true);
  });
});

describe('loadSchedulesFile', () => {
  it('reports a missing file', () => {
    expect(issuesOfFile(`${FIXTURES}/nope.yaml`)).toEqual([{ path: '(file)', code: 'unreadable', message: 'file does not exist' }]);
  });

  it('reports a syntax error with its line and column', () => {
    const issues = issuesOfFile(tmpFile('bad.yaml', 'schedules:\n  - id: a\n   dag: x\n'));
    expect(issues[0]).toMatchObject({ path: '(file)', code: 'syntax' });
    expect(issues[0]!.message).toMatch(/^YAML syntax error at line 3, column \d+: /);
  });

  it('reports an empty file as needing a schedules list', () => {
    expect(issuesOfFile(tmpFile('empty.yaml', '# nothing yet\n'))).toEqual([{ path: '(root)', code: 'schema', message: 'the file is empty; expected `schedules:` with a list of schedules' }]);
  });

  it('names the file in the error message', () => {
    expect(() => loadSchedulesFile(`${FIXTURES}/invalid.yaml`, { dags })).toThrow(`Invalid schedules in ${FIXTURES}/invalid.yaml:\n  - schedules[0]: give when it runs`);
  });
});

describe('timezoneError', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'US/Pacific', 'Etc/GMT+5'])('accepts %s', (tz) => {
    expect(timezoneError(tz)).toBeUndefined();
  });
});

describe('loadSchedulesFile, YAML pitfalls', () => {
  it('says to quote a cron expression that YAML reads as an alias', () => {
    const issues = issuesOfFile(tmpFile('alias.yaml', 'schedules:\n  - id: a\n    dag: sched-echo\n    cron: */5 * * * *\n'));
    expect(issues[0]!.message).toContain('(quote cron expressions: cron: "*/5 * * * *")');
  });
});

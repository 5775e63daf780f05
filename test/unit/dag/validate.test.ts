/**
 * Validation names the path and kind of every problem. Each kind of problem
 * has a fixture of its own in test/fixtures/dags/invalid/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDefinitionText } from '../../../src/dag/parse';
import { validateDag, type DagIssue, type ValidateOptions } from '../../../src/dag/validate';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'dags');

function fixture(dir: 'valid' | 'invalid', name: string): unknown {
  return parseDefinitionText(readFileSync(join(FIXTURES, dir, name), 'utf8'), { filename: name });
}

function issuesOf(name: string, opts: ValidateOptions = {}): DagIssue[] {
  const result = validateDag(fixture('invalid', name), opts);
  if (result.ok) throw new Error(`${name} was expected to be invalid`);
  return result.issues;
}

/** [path, code] pairs, to compare with an exact list. */
function where(issues: DagIssue[]): Array<[string, string]> {
  return issues.map((i) => [i.path, i.code]);
}

describe('validateDag on invalid definitions', () => {
  it('reports an unknown (misspelt) field with its path', () => {
    const issues = issuesOf('unknown-field.yaml');
    expect(where(issues)).toEqual([['nodes[0].retries', 'unknown_field']]);
    expect(issues[0]!.message).toBe('unknown field "retries"');
  });

  it('reports a duplicate node id at the second definition, naming the first', () => {
    const issues = issuesOf('duplicate-id.yaml');
    expect(where(issues)).toEqual([['nodes[1].id', 'duplicate_id']]);
    expect(issues[0]!.message).toContain('first defined at nodes[0]');
  });

  it('reports a dependency on a node that does not exist, at its index in "after"', () => {
    const issues = issuesOf('missing-dependency.yaml');
    expect(where(issues)).toEqual([['nodes[1].after[1]', 'missing_dependency']]);
    expect(issues[0]!.message).toContain('"resize"');
  });

  it('reports a node that depends on itself', () => {
    expect(where(issuesOf('self-dependency.yaml'))).toEqual([['nodes[0].after[0]', 'self_dependency']]);
  });

  it('reports a cycle once, showing the nodes in the order they would run', () => {
    const issues = issuesOf('cycle.yaml');
    expect(where(issues)).toEqual([['nodes[0].after', 'cycle']]);
    expect(issues[0]!.message).toBe('cycle: a → b → c → a');
  });

  it('reports an activity that is not in the registry, listing the registered ones', () => {
    const issues = issuesOf('unknown-activity.yaml', { activities: ['http.request', 'image.resize'] });
    expect(where(issues)).toEqual([['nodes[1].activity', 'unknown_activity']]);
    expect(issues[0]!.message).toBe('unknown activity "image.resise"; registered: http.request, image.resize');
  });

  it('does not check activity names when no registry is given', () => {
    expect(validateDag(fixture('invalid', 'unknown-activity.yaml')).ok).toBe(true);
  });

  it('reports a timeout that is not a duration', () => {
    const issues = issuesOf('bad-duration-timeout.yaml');
    expect(where(issues)).toEqual([['nodes[0].timeout', 'bad_duration']]);
    expect(issues[0]!.message).toContain('got "5 minutes"');
  });

  it('reports a retry interval that is not a duration', () => {
    const issues = issuesOf('bad-duration-retry-interval.yaml');
    expect(where(issues)).toEqual([['nodes[0].retry.initialInterval', 'bad_duration']]);
    expect(issues[0]!.message).toContain('got "soon"');
  });

  it('reports a delay that is neither a duration nor an expression', () => {
    const issues = issuesOf('bad-duration-delay.yaml');
    expect(where(issues)).toEqual([['nodes[0].delay', 'bad_duration']]);
    expect(issues[0]!.message).toContain('got "later"');
  });

  it('reports an approval timeout given as an object of activity timeouts', () => {
    const issues = issuesOf('approval-timeout-not-duration.yaml');
    expect(where(issues)).toEqual([['nodes[0].timeout', 'bad_duration']]);
    expect(issues[0]!.message).toContain("an approval's timeout is its deadline");
  });

  it('reports an approval timeout that is not a duration once, and does not throw on a non-string', () => {
    const twice = validateDag({ name: 'x', nodes: [{ id: 'a', type: 'approval', timeout: 'a while' }] });
    expect(twice.ok ? [] : where(twice.issues)).toEqual([['nodes[0].timeout', 'bad_duration']]);
    const boolean = validateDag({ name: 'x', nodes: [{ id: 'a', type: 'approval', timeout: true }] });
    expect(boolean.ok ? [] : where(boolean.issues)).toEqual([['nodes[0].timeout', 'bad_duration']]);
  });

  it('reports an "at" that is not an ISO 8601 time', () => {
    const issues = issuesOf('bad-at-time.yaml');
    expect(where(issues)).toEqual([['nodes[0].at', 'bad_time']]);
    expect(issues[0]!.message).toContain('got "next tuesday"');
  });

  it('reports an "at" date-time without a time zone, which would depend on the worker', () => {
    expect(where(issuesOf('at-without-time-zone.yaml'))).toEqual([['nodes[0].at', 'bad_time']]);
  });

  it('reports an expression that does not parse, with the JSONata error and position', () => {
    const issues = issuesOf('bad-expression.yaml');
    expect(where(issues)).toEqual([['nodes[0].input.url', 'bad_expression']]);
    expect(issues[0]!.message).toMatch(/^expression "input\.baseUrl & \(" does not parse: .*\(at character \d+\)$/);
  });

  it('reports an expression that reads a node that is not upstream', () => {
    const issues = issuesOf('not-upstream.yaml');
    expect(where(issues)).toEqual([['nodes[1].input.body', 'not_upstream']]);
    expect(issues[0]!.message).toContain('not upstream of "notify"');
  });

  it('reports an expression that reads a node that does not exist', () => {
    const issues = issuesOf('unknown-node-reference.yaml');
    expect(where(issues)).toEqual([['nodes[1].when', 'unknown_node']]);
    expect(issues[0]!.message).toContain('nodes.fetsh');
  });

  it('reports an approval node that names an activity', () => {
    expect(where(issuesOf('approval-with-activity.yaml'))).toEqual([['nodes[0].activity', 'node_kind']]);
  });

  it('reports an activity node without an activity', () => {
    const issues = issuesOf('activity-missing.yaml');
    expect(where(issues)).toEqual([['nodes[0].activity', 'node_kind']]);
    expect(issues[0]!.message).toBe('node "fetch" needs an activity (or type: approval)');
  });

  it('reports a DAG name that is not lowercase letters, digits, ".", "_" and "-"', () => {
    expect(where(issuesOf('bad-name.yaml'))).toEqual([['name', 'schema']]);
  });

  it('reports a DAG without nodes', () => {
    const issues = issuesOf('empty-nodes.yaml');
    expect(where(issues)).toEqual([['nodes', 'schema']]);
    expect(issues[0]!.message).toBe('a DAG needs at least one node');
  });

  it('reports map.items that is a bare string instead of a {{ expression }}', () => {
    expect(where(issuesOf('map-items-not-expression.yaml'))).toEqual([['nodes[1].map.items', 'bad_expression']]);
  });

  it('reports every problem of a definition in one pass', () => {
    const issues = issuesOf('many-problems.yaml');
    const expected: Array<[string, string]> = [
      ['colour', 'unknown_field'],
      ['name', 'schema'],
      ['nodes[0].retry.initialInterval', 'bad_duration'],
      ['nodes[0].timeout', 'bad_duration'],
      ['nodes[1].id', 'duplicate_id'],
      ['nodes[2].after[0]', 'missing_dependency'],
      ['nodes[2].input.url', 'not_upstream'],
      ['nodes[2].map.items', 'bad_expression'],
      ['nodes[3].after', 'cycle'],
      ['nodes[3].after[0]', 'self_dependency'],
      ['nodes[3].delay', 'bad_duration'],
      ['nodes[3].when', 'bad_expression'],
      ['nodes[4].activity', 'node_kind'],
      ['nodes[4].at', 'bad_time'],
      ['nodes[5].activity', 'node_kind'],
      ['nodes[5].input', 'unknown_node'],
    ];
    expect(where(issues).sort()).toEqual(expected);
    expect(issues.find((i) => i.code === 'cycle')!.message).toBe('cycle: notify → approve → notify');
  });
});

describe('validateDag on valid definitions', () => {
  const files = readdirSync(join(FIXTURES, 'valid'));

  it('has valid fixtures to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('accepts %s', (file) => {
    const result = validateDag(fixture('valid', file));
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('accepts a node id with "-" read through JSONata backticks', () => {
    const result = validateDag({
      name: 'dash',
      nodes: [
        { id: 'fetch-page', activity: 'http.request' },
        { id: 'store', activity: 'storage.put', after: ['fetch-page'], input: '{{ nodes.`fetch-page`.output }}' },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it('lets a compensation read the output of the node it undoes', () => {
    const result = validateDag({
      name: 'saga',
      nodes: [{ id: 'charge', activity: 'billing.charge', compensate: { activity: 'billing.refund', input: { id: '{{ nodes.charge.output.id }}' } } }],
    });
    expect(result.ok).toBe(true);
  });
});

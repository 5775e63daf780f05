/** `weft dags validate|graph|list` as a user runs them: a subprocess, its output and its exit code. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWeft } from '../helpers/cli';

const VALID = 'test/fixtures/dags/valid';
const INVALID = 'test/fixtures/dags/invalid';

interface ValidateJson {
  file: string;
  ok: boolean;
  name?: string;
  issues: Array<{ path: string; code: string; message: string; line?: number; column?: number }>;
}

describe.concurrent('weft dags validate', () => {
  it('exits 0 for a valid file and says so', async () => {
    const r = await runWeft(['dags', 'validate', `${VALID}/image-pipeline.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VALID}/image-pipeline.yaml: ok (image-pipeline, 4 nodes)\n`);
  });

  it('exits 1 for an invalid file and prints every problem as file: path: message', async () => {
    const file = `${INVALID}/many-problems.yaml`;
    const r = await runWeft(['dags', 'validate', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const problems = lines.filter((l) => l.startsWith(`${file}: `));
    expect(problems).toHaveLength(16);
    for (const path of ['colour', 'name', 'nodes[0].timeout', 'nodes[1].id', 'nodes[2].after[0]', 'nodes[3].after', 'nodes[3].when', 'nodes[5].input']) {
      expect(problems.some((l) => l.startsWith(`${file}: ${path}: `))).toBe(true);
    }
    expect(lines.at(-1)).toBe('1 file checked: 0 valid, 1 invalid (16 problems)');
  });

  it('exits 1 when one of several files is invalid, and reports the valid ones too', async () => {
    const r = await runWeft(['dags', 'validate', `${VALID}/hello.json`, `${INVALID}/cycle.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${VALID}/hello.json: ok (hello, 2 nodes)`);
    expect(r.stdout).toContain(`${INVALID}/cycle.yaml: nodes[0].after: cycle: a → b → c → a`);
  });

  it('reports a file that does not exist like an invalid DAG', async () => {
    const r = await runWeft(['dags', 'validate', 'test/fixtures/dags/nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('test/fixtures/dags/nope.yaml: (file): file does not exist');
  });

  it('reports a file that does not parse with its line and column', async () => {
    const r = await runWeft(['dags', 'validate', 'test/fixtures/dags/syntax/bad-indent.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('test/fixtures/dags/syntax/bad-indent.yaml: (file): YAML syntax error at line 4, column 1: ');
  });

  it('prints a JSON array of results with --json, listing each issue', async () => {
    const r = await runWeft(['dags', 'validate', '--json', `${VALID}/hello.json`, `${INVALID}/missing-dependency.yaml`, 'test/fixtures/dags/syntax/trailing-comma.json']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as ValidateJson[];
    expect(results).toEqual([
      { file: `${VALID}/hello.json`, ok: true, name: 'hello', issues: [] },
      {
        file: `${INVALID}/missing-dependency.yaml`,
        ok: false,
        name: 'missing-dependency',
        issues: [{ path: 'nodes[1].after[1]', code: 'missing_dependency', message: 'node "notify" depends on "resize", which is not a node in this DAG' }],
      },
      {
        file: 'test/fixtures/dags/syntax/trailing-comma.json',
        ok: false,
        issues: [expect.objectContaining({ path: '(file)', code: 'syntax', line: 5, column: 3 })],
      },
    ]);
  });

  it('validates every definition in a folder', async () => {
    const r = await runWeft(['dags', 'validate', VALID]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('3 files checked: 3 valid, 0 invalid');
  });

  it('exits 2 without a file', async () => {
    const r = await runWeft(['dags', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'files'");
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const r = await runWeft(['dags', 'validate', '--strict', `${VALID}/hello.json`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--strict'");
  });
});

describe.concurrent('weft dags graph', () => {
  it('prints Mermaid by default', async () => {
    const r = await runWeft(['dags', 'graph', `${VALID}/hello.json`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(['flowchart TD', '  n0["greet<br/>demo.greet"]', '  n1["shout<br/>demo.shout"]', '  n0 --> n1', ''].join('\n'));
  });

  it('prints Graphviz DOT with --format dot', async () => {
    const r = await runWeft(['dags', 'graph', `${VALID}/hello.json`, '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'digraph "hello" {',
        '  rankdir=TB;',
        '  node [shape=box, style=rounded];',
        '  "greet" [label="greet\\ndemo.greet"];',
        '  "shout" [label="shout\\ndemo.shout"];',
        '  "greet" -> "shout";',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 on a bad --format value, naming the flag and the value', async () => {
    const r = await runWeft(['dags', 'graph', `${VALID}/hello.json`, '--format', 'png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected --format to be one of mermaid, dot, got `png`.');
    expect(r.stdout).toBe('');
  });

  it('exits 1 for an invalid DAG, printing its problems instead of a graph', async () => {
    const r = await runWeft(['dags', 'graph', `${INVALID}/cycle.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${INVALID}/cycle.yaml: nodes[0].after: cycle: a → b → c → a`);
  });
});

describe.concurrent('weft dags list', () => {
  it('lists the definitions in --dir with name, node count, status and file', async () => {
    const r = await runWeft(['dags', 'list', '--dir', VALID]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NODES\s+STATUS\s+FILE\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual([
      ['canvas', '7', 'valid', `${VALID}/canvas.yml`],
      ['hello', '2', 'valid', `${VALID}/hello.json`],
      ['image-pipeline', '4', 'valid', `${VALID}/image-pipeline.yaml`],
    ]);
  });

  it('reads the folder from the dagsDir setting and prints JSON with --json', async () => {
    const r = await runWeft(['dags', 'list', '--json'], { env: { WEFT_DAGS_DIR: INVALID } });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ file: string; ok: boolean; name?: string; nodes: number; issues: unknown[] }>;
    const cycle = list.find((d) => d.name === 'cycle');
    expect(cycle).toMatchObject({ file: `${INVALID}/cycle.yaml`, ok: false, nodes: 3 });
    expect(cycle!.issues).toHaveLength(1);
    expect(list.every((d) => d.file.startsWith(`${INVALID}/`))).toBe(true);
  });

  it('exits 5 when the folder does not exist, naming it and where it came from', async () => {
    const r = await runWeft(['dags', 'list', '--dir', 'test/fixtures/dags/missing']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('DAGs folder test/fixtures/dags/missing does not exist (from --dir)');
  });
});

describe.concurrent('weft dags --help', () => {
  it.each(['validate', 'graph', 'list'])('shows examples for dags %s', async (command) => {
    const r = await runWeft(['dags', command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain(`$ weft dags ${command}`);
  });
});

describe('weft dags validate --check-activities', () => {
  it('passes the examples, whose activities sit next to them', async () => {
    const r = await runWeft(['dags', 'validate', 'examples', '--check-activities']);
    expect(r.code).toBe(0);
  });

  it('reports an activity no worker would have, with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-check-activities-'));
    try {
      writeFileSync(join(dir, 'dag.yaml'), 'name: typo\nnodes:\n  - id: call\n    activity: http.requets\n');
      const r = await runWeft(['dags', 'validate', join(dir, 'dag.yaml'), '--check-activities']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('nodes[0].activity: unknown activity "http.requets"');
      // Without the flag the name is not checked.
      expect((await runWeft(['dags', 'validate', join(dir, 'dag.yaml')])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

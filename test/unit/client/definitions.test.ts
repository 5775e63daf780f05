/** Definition files on disk: load one, or list a folder of them. */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionsFolderError, inspectDefinitionFile, listDefinitions, loadDefinitionFile } from '../../../src/client/definitions';
import { DagValidationError } from '../../../src/dag/validate';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'dags');

function loadError(file: string, opts = {}): DagValidationError {
  try {
    loadDefinitionFile(file, opts);
  } catch (err) {
    if (err instanceof DagValidationError) return err;
    throw err;
  }
  throw new Error(`expected ${file} to be invalid`);
}

describe('loadDefinitionFile', () => {
  it('compiles a valid YAML file', () => {
    const dag = loadDefinitionFile(join(FIXTURES, 'valid', 'image-pipeline.yaml'));
    expect(dag.name).toBe('image-pipeline');
    expect(dag.nodes.map((n) => n.id)).toEqual(['fetch', 'resize', 'approve', 'notify']);
  });

  it('throws a DagValidationError whose source is the file', () => {
    const file = join(FIXTURES, 'invalid', 'cycle.yaml');
    const err = loadError(file);
    expect(err.source).toBe(file);
    expect(err.message).toContain(`Invalid DAG in ${file}`);
  });

  it('checks activities against the registry it is given', () => {
    const err = loadError(join(FIXTURES, 'invalid', 'unknown-activity.yaml'), { activities: ['http.request', 'image.resize'] });
    expect(err.issues.map((i) => i.code)).toEqual(['unknown_activity']);
  });

  it('reports a file that does not exist as an unreadable definition', () => {
    const err = loadError(join(FIXTURES, 'no-such-file.yaml'));
    expect(err.issues).toEqual([{ path: '(file)', code: 'unreadable', message: 'file does not exist' }]);
  });

  it('reports a syntax error with its line and column', () => {
    const err = loadError(join(FIXTURES, 'syntax', 'trailing-comma.json'));
    expect(err.issues[0]).toMatchObject({ code: 'syntax', line: 5, column: 3 });
  });
});

describe('inspectDefinitionFile', () => {
  it('reports the name and node count of an invalid file with its problems', () => {
    const report = inspectDefinitionFile(join(FIXTURES, 'invalid', 'duplicate-id.yaml'));
    expect(report).toMatchObject({ ok: false, name: 'duplicate-id', nodes: 2 });
    expect(report.issues.map((i) => i.code)).toEqual(['duplicate_id']);
  });
});

describe('listDefinitions', () => {
  let dir: string;
  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-dags-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists YAML and JSON definitions, in subfolders too, sorted by file', () => {
    write('b.yaml', 'name: b\ndescription: Bee\nnodes: [{ id: x, activity: a.b }]\n');
    write('a.json', '{"name": "a", "nodes": [{"id": "x", "activity": "a.b"}, {"id": "y", "activity": "a.b"}]}');
    write('nested/c.yml', 'name: c\nnodes: [{ id: x, activity: a.b }]\n');
    const list = listDefinitions(dir);
    expect(list.map((r) => [r.file, r.name, r.nodes, r.ok])).toEqual([
      [join(dir, 'a.json'), 'a', 2, true],
      [join(dir, 'b.yaml'), 'b', 1, true],
      [join(dir, 'nested', 'c.yml'), 'c', 1, true],
    ]);
    expect(list[1]!.description).toBe('Bee');
  });

  it('leaves out YAML and JSON files that are not DAGs, and other files', () => {
    write('dag.yaml', 'name: d\nnodes: [{ id: x, activity: a.b }]\n');
    write('schedules.yaml', 'schedules: []\n');
    write('package.json', '{"name": "examples"}');
    write('weft.config.yaml', 'nodes: 1\n');
    write('activities.ts', 'export {};\n');
    write('node_modules/x/dag.yaml', 'name: hidden\nnodes: []\n');
    expect(listDefinitions(dir).map((r) => r.name)).toEqual(['d']);
  });

  it('lists an invalid definition with its problems, and a file that does not parse', () => {
    write('bad.yaml', 'name: Bad\nnodes: []\n');
    write('broken.json', '{"name": ');
    const list = listDefinitions(dir);
    expect(list.map((r) => [r.ok, r.issues.map((i) => i.code)])).toEqual([
      [false, ['schema', 'schema']],
      [false, ['syntax']],
    ]);
  });

  it('marks two files with the same DAG name invalid, naming the other file', () => {
    write('one.yaml', 'name: same\nnodes: [{ id: x, activity: a.b }]\n');
    write('two.yaml', 'name: same\nnodes: [{ id: y, activity: a.b }]\n');
    const list = listDefinitions(dir);
    expect(list.map((r) => r.ok)).toEqual([false, false]);
    expect(list[0]!.issues).toEqual([
      { path: 'name', code: 'duplicate_name', message: `DAG name "same" is also used by ${join(dir, 'two.yaml')}; names must be unique in ${dir}` },
    ]);
  });

  it('throws DefinitionsFolderError for a folder that does not exist', () => {
    expect(() => listDefinitions(join(dir, 'missing'))).toThrow(DefinitionsFolderError);
  });
});

describe('listDefinitions, listed again', () => {
  let dir: string;
  /** Writes a file whose modification time is `agoSec` seconds in the past, as an edit long before the listing. */
  const write = (rel: string, text: string, agoSec = 60): void => {
    writeFileSync(join(dir, rel), text);
    const t = new Date(Date.now() - agoSec * 1000);
    utimesSync(join(dir, rel), t, t);
  };
  const dagOf = (name: string): unknown => listDefinitions(dir).find((r) => r.name === name)?.dag;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-dags-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not compile a file again while it is unchanged', () => {
    write('a.yaml', 'name: a\nnodes: [{ id: x, activity: a.b }]\n');
    const first = dagOf('a');
    expect(first).toBeDefined();
    expect(dagOf('a')).toBe(first);
  });

  it('compiles a changed file again, and leaves the unchanged ones alone', () => {
    write('a.yaml', 'name: a\nnodes: [{ id: x, activity: a.b }]\n');
    write('b.yaml', 'name: b\nnodes: [{ id: x, activity: a.b }]\n');
    const [a, b] = [dagOf('a'), dagOf('b')];
    // Same size, and a modification time that is still in the past: only the stamp's other fields differ.
    write('a.yaml', 'name: a\nnodes: [{ id: y, activity: a.b }]\n', 30);
    const list = listDefinitions(dir);
    expect(list.find((r) => r.name === 'a')!.dag).not.toBe(a);
    expect(list.find((r) => r.name === 'a')!.dag!.nodes.map((n) => n.id)).toEqual(['y']);
    expect(list.find((r) => r.name === 'b')!.dag).toBe(b);
  });

  it('picks up a file written twice within one clock tick, however quickly', () => {
    writeFileSync(join(dir, 'a.yaml'), 'name: a\nnodes: [{ id: x, activity: a.b }]\n');
    expect(listDefinitions(dir)[0]!.dag!.nodes[0]!.id).toBe('x');
    writeFileSync(join(dir, 'a.yaml'), 'name: a\nnodes: [{ id: z, activity: a.b }]\n');
    expect(listDefinitions(dir)[0]!.dag!.nodes[0]!.id).toBe('z');
  });

  it('shows added and removed files', () => {
    write('a.yaml', 'name: a\nnodes: [{ id: x, activity: a.b }]\n');
    expect(listDefinitions(dir).map((r) => r.name)).toEqual(['a']);
    write('b.yaml', 'name: b\nnodes: [{ id: x, activity: a.b }]\n');
    expect(listDefinitions(dir).map((r) => r.name)).toEqual(['a', 'b']);
    unlinkSync(join(dir, 'a.yaml'));
    expect(listDefinitions(dir).map((r) => r.name)).toEqual(['b']);
  });

  it('reports a duplicate name that appears later, though neither file is compiled again', () => {
    write('one.yaml', 'name: same\nnodes: [{ id: x, activity: a.b }]\n');
    expect(listDefinitions(dir)[0]!.ok).toBe(true);
    write('two.yaml', 'name: same\nnodes: [{ id: y, activity: a.b }]\n');
    expect(listDefinitions(dir).map((r) => r.ok)).toEqual([false, false]);
    unlinkSync(join(dir, 'two.yaml'));
    expect(listDefinitions(dir).map((r) => [r.ok, r.issues])).toEqual([[true, []]]);
  });

  it('checks activities again when the registry it is given changes', () => {
    write('a.yaml', 'name: a\nnodes: [{ id: x, activity: a.b }]\n');
    expect(listDefinitions(dir, { activities: ['a.b'] })[0]!.ok).toBe(true);
    expect(listDefinitions(dir, { activities: ['c.d'] })[0]!.issues.map((i) => i.code)).toEqual(['unknown_activity']);
  });
});

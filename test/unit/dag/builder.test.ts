/** The builder: Celery's canvas wires `after` edges, and compiles to what the same YAML compiles to. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFile } from '../../../src/client/definitions';
import {
  approval,
  buildDag,
  chain,
  chord,
  dag,
  expr,
  group,
  index,
  input,
  item,
  map,
  output,
  outputExpr,
  runId,
  task,
  type Canvas,
} from '../../../src/dag/builder';
import { DagValidationError } from '../../../src/dag/validate';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'dags');

/** Each node's `after`, by id, in definition order. */
function edges(canvas: Canvas): Record<string, string[]> {
  return Object.fromEntries(dag('edges', canvas).nodes.map((n) => [n.id, n.after ?? []]));
}

const step = (id: string): ReturnType<typeof task> => task(id, 'demo.step');

describe('canvas wiring', () => {
  it('leaves a single task without dependencies and without an "after" field', () => {
    expect(dag('one', step('a')).nodes).toEqual([{ id: 'a', activity: 'demo.step' }]);
  });

  it('chain runs each part after the one before it', () => {
    expect(edges(chain(step('a'), step('b'), step('c')))).toEqual({ a: [], b: ['a'], c: ['b'] });
  });

  it('group runs its parts in parallel, with no edges between them', () => {
    expect(edges(group(step('a'), step('b'), step('c')))).toEqual({ a: [], b: [], c: [] });
  });

  it('chord runs the callback after every member of the group', () => {
    expect(edges(chord(group(step('a'), step('b')), step('done')))).toEqual({ a: [], b: [], done: ['a', 'b'] });
  });

  it('chord takes an array of nodes as its header', () => {
    expect(edges(chord([step('a'), step('b')], step('done')))).toEqual({ a: [], b: [], done: ['a', 'b'] });
  });

  it('a part after a group waits for the tail of every branch', () => {
    const canvas = chain(step('a'), group(chain(step('b1'), step('b2')), step('c')), step('d'));
    expect(edges(canvas)).toEqual({ a: [], b1: ['a'], b2: ['b1'], c: ['a'], d: ['b2', 'c'] });
  });

  it('a group after a group joins every tail to every head', () => {
    const canvas = chain(group(step('a'), step('b')), group(step('c'), step('d')));
    expect(edges(canvas)).toEqual({ a: [], b: [], c: ['a', 'b'], d: ['a', 'b'] });
  });

  it('nests chords inside chains inside groups', () => {
    const canvas = group(chain(step('x'), chord([step('y1'), step('y2')], step('y'))), step('z'));
    expect(edges(canvas)).toEqual({ x: [], y1: ['x'], y2: ['x'], y: ['y1', 'y2'], z: [] });
  });

  it('skips an empty group inside a chain, keeping the chain connected', () => {
    expect(edges(chain(step('a'), group(), step('b')))).toEqual({ a: [], b: ['a'] });
  });

  it('never duplicates an edge that "after" already gives', () => {
    const a = step('a');
    expect(edges(chain(a, task('b', 'demo.step', { after: [a] })))).toEqual({ a: [], b: ['a'] });
  });

  it('keeps explicit "after" dependencies first, then the canvas edges', () => {
    const a = step('a');
    const canvas = chain(group(a, step('b')), task('c', 'demo.step', { after: ['b'] }));
    expect(edges(canvas)).toEqual({ a: [], b: [], c: ['b', 'a'] });
  });

  it('treats the same node object used twice as one node, with the edges of both places', () => {
    const shared = step('shared');
    const canvas = group(chain(step('a'), shared), chain(step('b'), shared));
    expect(edges(canvas)).toEqual({ a: [], shared: ['a', 'b'], b: [] });
  });

  it('includes a node referenced only in "after", before the node that needs it', () => {
    const fetch = step('fetch');
    expect(dag('refs', task('store', 'demo.step', { after: [fetch] })).nodes.map((n) => n.id)).toEqual(['fetch', 'store']);
  });

  it('keeps definition order stable: nodes in the order the canvas first names them', () => {
    const canvas = chain(step('first'), group(step('second'), chain(step('third'), step('fourth'))), step('fifth'));
    expect(dag('order', canvas).nodes.map((n) => n.id)).toEqual(['first', 'second', 'third', 'fourth', 'fifth']);
  });
});

describe('node kinds', () => {
  it('map produces a map node that reads its items from an upstream output', () => {
    const fetch = task<{ body: { images: string[] } }>('fetch', 'http.request');
    const resize = map('resize', 'image.resize', { items: output(fetch, 'body.images'), concurrency: 5, batchSize: 2, input: { image: item() } });
    expect(dag('fan-out', chain(fetch, resize)).nodes[1]).toEqual({
      id: 'resize',
      activity: 'image.resize',
      input: { image: '{{ item }}' },
      map: { items: '{{ nodes.fetch.output.body.images }}', concurrency: 5, batchSize: 2 },
      after: ['fetch'],
    });
  });

  it('approval produces an approval node with its deadline', () => {
    expect(dag('wait', approval('approve', { timeout: '24h' })).nodes).toEqual([{ id: 'approve', type: 'approval', timeout: '24h' }]);
  });

  it('passes node fields through to the definition', () => {
    const node = task('notify', 'notify.webhook', { trigger: 'all-done', delay: '10m', onError: 'ignore', retry: { maximumAttempts: 2 } });
    expect(dag('fields', node).nodes[0]).toEqual({
      id: 'notify',
      activity: 'notify.webhook',
      trigger: 'all-done',
      delay: '10m',
      onError: 'ignore',
      retry: { maximumAttempts: 2 },
    });
  });

  it('passes DAG fields through to the definition', () => {
    const def = dag('opts', step('a'), { description: 'd', concurrency: 3, onFailure: 'continue', defaults: { timeout: '1m' }, output: output('a') });
    expect(def).toEqual({
      name: 'opts',
      description: 'd',
      concurrency: 3,
      onFailure: 'continue',
      defaults: { timeout: '1m' },
      output: '{{ nodes.a.output }}',
      nodes: [{ id: 'a', activity: 'demo.step' }],
    });
  });
});

describe('references', () => {
  it('output() reads a node output path as a raw {{ }} value', () => {
    expect(output(step('fetch'), 'body.images')).toBe('{{ nodes.fetch.output.body.images }}');
  });

  it('output() without a path reads the whole output', () => {
    expect(output('fetch')).toBe('{{ nodes.fetch.output }}');
  });

  it('puts a node id with "-" in JSONata backticks', () => {
    expect(output(step('fetch-page'), 'body')).toBe('{{ nodes.`fetch-page`.output.body }}');
  });

  it('puts path steps with "-" or JSONata keywords in backticks and keeps [n] indexes', () => {
    expect(output('a', 'headers.content-type')).toBe('{{ nodes.a.output.headers.`content-type` }}');
    expect(output('a', 'body.images[0].url')).toBe('{{ nodes.a.output.body.images[0].url }}');
    expect(output('true', 'and')).toBe('{{ nodes.`true`.output.`and` }}');
  });

  it('takes a path as a list of steps, for keys that contain dots', () => {
    expect(output('a', ['labels', 'app.kubernetes.io/name'])).toBe('{{ nodes.a.output.labels.`app.kubernetes.io/name` }}');
  });

  it('builds larger expressions with outputExpr() and expr()', () => {
    expect(expr(`$count(${outputExpr('resize')}) > 0`)).toBe('{{ $count(nodes.resize.output) > 0 }}');
  });

  it('reads the run input, the map item and index, and the run id', () => {
    expect([input('user.email'), input(), item('url'), index(), runId()]).toEqual([
      '{{ input.user.email }}',
      '{{ input }}',
      '{{ item.url }}',
      '{{ index }}',
      '{{ run.id }}',
    ]);
  });

  it('types output paths from the node output type', () => {
    const fetch = task<{ body: { images: string[] } }>('fetch', 'http.request');
    expect(output(fetch, 'body.images')).toBe('{{ nodes.fetch.output.body.images }}');
    // @ts-expect-error: "body.imgs" is not a path of the declared output.
    expect(output(fetch, 'body.imgs')).toBe('{{ nodes.fetch.output.body.imgs }}');
  });

  it('writes references that validation accepts, including backticked ids', () => {
    const page = step('fetch-page');
    const store = task('store', 'demo.step', { input: { html: output(page, 'body') } });
    expect(() => dag('valid-refs', chain(page, store))).not.toThrow();
  });
});

describe('builder mistakes', () => {
  it('reports the same id used by two nodes as the YAML path does', () => {
    let error: unknown;
    try {
      dag('dupes', chain(step('a'), step('a')));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DagValidationError);
    const e = error as DagValidationError;
    expect(e.issues.map((i) => [i.path, i.code])).toEqual([
      ['nodes[1].id', 'duplicate_id'],
      ['nodes[1].after[0]', 'self_dependency'],
    ]);
    expect(e.source).toBe('builder dag "dupes"');
  });

  it('reports a cycle made by reusing a node in a chain', () => {
    const a = step('a');
    expect(() => dag('loop', chain(a, step('b'), a))).toThrow(/cycle: a → b → a/);
  });

  it('reports a reference to a node that is not upstream', () => {
    const fetch = step('fetch');
    expect(() => dag('refs', group(fetch, task('store', 'demo.step', { input: output(fetch) })))).toThrow(DagValidationError);
  });

  it('reports an empty canvas as a DAG without nodes', () => {
    expect(() => dag('nothing', group())).toThrow(/nodes: a DAG needs at least one node/);
  });

  it('checks activities against a registry when one is given', () => {
    expect(() => buildDag('reg', step('a'), { activities: ['http.request'] })).toThrow(/unknown activity "demo.step"/);
  });

  it('rejects a part that is not a node or canvas, naming its position', () => {
    expect(() => chain(step('a'), 'b' as unknown as Canvas)).toThrow(/chain\(\): argument 2 is not a node or canvas/);
  });
});

describe('builder and YAML', () => {
  it('compiles to the same CompiledDag, with the same hash, as the equivalent YAML file', () => {
    const fetch = task<{ body: { images: string[] } }>('fetch', 'http.request', { input: { url: input('url') } });
    const resize = map('resize', 'image.resize', { items: output(fetch, 'body.images'), concurrency: 4, input: { image: item() } });
    const thumbs = task('thumbs', 'image.thumbnail');
    const uploadThumbs = task('upload-thumbs', 'storage.put', { input: output(thumbs) });
    const publish = task('publish', 'notify.webhook', { trigger: 'none-failed', input: { thumbs: output(uploadThumbs) } });
    const canvas = chain(fetch, group(resize, chain(thumbs, uploadThumbs)), chord([task('audit', 'audit.log'), task('scan', 'security.scan')], publish));

    const built = buildDag('canvas', canvas, { description: 'Chain, group and chord, written by hand', defaults: { timeout: '1m' } });
    const fromYaml = loadDefinitionFile(join(FIXTURES, 'valid', 'canvas.yml'));
    expect(built).toEqual(fromYaml);
    expect(built.hash).toBe(fromYaml.hash);
  });

  it('gives a plain definition that survives a JSON round trip unchanged', () => {
    const def = dag('json', chain(step('a'), map('m', 'demo.step', { items: [1, 2, 3] })));
    expect(JSON.parse(JSON.stringify(def))).toEqual(def);
  });
});

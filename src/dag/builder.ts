/**
 * The TypeScript builder: Celery's canvas vocabulary (`chain`, `group`,
 * `chord`, plus `map` for dynamic fan-out), compiled to the same
 * DagDefinition a YAML file holds, then through the same validation.
 *
 * ```ts
 * const fetch = task<{ body: { images: string[] } }>('fetch', 'http.request', { input: { url: input('sourceUrl') } });
 * const resize = map('resize', 'image.resize', { items: output(fetch, 'body.images'), input: { image: item() } });
 * const pipeline = buildDag('image-pipeline', chain(fetch, resize, task('notify', 'notify.webhook')));
 * ```
 *
 * Longer than 300 lines on purpose: most of it is the typed public API and its
 * doc comments, which users read in their editor; compiling is in compile.ts.
 */
import { compileDag } from './compile';
import type { DagDefinition, NodeDefinition } from './schema';
import type { CompiledDag } from './types';
import { DagValidationError, validateDag, type ValidateOptions } from './validate';

/**
 * One node. `Out` is the shape of its output; it only types the paths given
 * to `output()`, nothing checks it at run time.
 */
export interface NodeRef<Out = unknown> {
  readonly kind: 'node';
  readonly id: string;
  /** The node's own fields; canvas edges are added by `dag()`. */
  readonly definition: Readonly<NodeDefinition>;
  /** Phantom field carrying the output type. */
  readonly __output?: Out;
}

export interface Chain {
  readonly kind: 'chain';
  readonly parts: readonly Canvas[];
}

export interface Group {
  readonly kind: 'group';
  readonly parts: readonly Canvas[];
}

export interface Chord {
  readonly kind: 'chord';
  readonly header: Group;
  readonly callback: Canvas;
}

/** Anything that can be wired: a node, or a chain, group or chord of them. */
export type Canvas = NodeRef<unknown> | Chain | Group | Chord;

/** A dependency: a node id, or the node itself. */
export type Dependency = string | NodeRef<unknown>;

type CommonFields = Omit<NodeDefinition, 'id' | 'activity' | 'type' | 'after' | 'map'>;

/** Options of `task()`: every node field except id, activity and type. */
export interface TaskOptions extends CommonFields {
  /** Extra dependencies besides the ones the canvas wires. */
  after?: Dependency[];
  map?: NodeDefinition['map'];
}

/** What an approved approval node outputs; a rejection fails the node. */
export interface ApprovalOutput {
  approved: true;
  by?: string;
  reason?: string;
  /** ISO time of the decision. */
  at: string;
}

/** Options of `approval()`: an approval has no activity, input, retry, map or compensation. */
export interface ApprovalOptions extends Pick<CommonFields, 'description' | 'delay' | 'at' | 'when' | 'trigger' | 'onError'> {
  after?: Dependency[];
  /** How long to wait for a decision; past it, the node fails. @defaultValue 7d */
  timeout?: string | number;
}

/** Options of `map()`: the fan-out settings plus every node field. */
export interface MapOptions extends CommonFields {
  /** A `{{ expression }}` that yields a list (see `output()`), or a literal list. */
  items: string | unknown[];
  /** Most items (or batches) in flight at once. @defaultValue 10 */
  concurrency?: number;
  /** Items per activity call; with more than 1, `item` is the batch. @defaultValue 1 */
  batchSize?: number;
  after?: Dependency[];
}

/** Options of `dag()` and `buildDag()`: the DAG-level fields, plus a registry to check activities against. */
export interface DagOptions extends Omit<DagDefinition, 'name' | 'nodes'>, ValidateOptions {
  /** Where the DAG comes from, for error messages. @defaultValue `builder dag "<name>"` */
  source?: string;
}

/** Node references given in `after`, so `dag()` can include nodes that are not in the canvas. */
const afterRefs = new WeakMap<NodeRef<unknown>, Dependency[]>();

function nodeRef<Out>(definition: NodeDefinition, after: Dependency[] | undefined): NodeRef<Out> {
  // A copy, so changing an object given as input later does not change the node.
  const node: NodeRef<Out> = Object.freeze({ kind: 'node' as const, id: definition.id, definition: Object.freeze(jsonCopy(definition)) });
  afterRefs.set(node, after ?? []);
  return node;
}

/** Copies only the fields that are set, so the definition has no `undefined` holes. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function depIds(after: Dependency[] | undefined): { after?: string[] } {
  if (!after || after.length === 0) return {};
  return { after: after.map((d) => (typeof d === 'string' ? d : d.id)) };
}

/** One activity node (a Celery signature). */
export function task<Out = unknown>(id: string, activity: string, opts: TaskOptions = {}): NodeRef<Out> {
  const { after, ...rest } = opts;
  return nodeRef<Out>({ id, activity, ...defined(rest), ...depIds(after) }, after);
}

/** A node that waits for a person to approve or reject, until its timeout. */
export function approval(id: string, opts: ApprovalOptions = {}): NodeRef<ApprovalOutput> {
  const { after, ...rest } = opts;
  return nodeRef<ApprovalOutput>({ id, type: 'approval', ...defined(rest), ...depIds(after) }, after);
}

/** Dynamic fan-out: one activity call per item (or batch) of a list known only at run time. */
export function map<Out = unknown>(id: string, activity: string, opts: MapOptions): NodeRef<Out[]> {
  const { items, concurrency, batchSize, after, ...rest } = opts;
  return nodeRef<Out[]>({ id, activity, ...defined(rest), map: { items, ...defined({ concurrency, batchSize }) }, ...depIds(after) }, after);
}

function checkParts(fn: string, parts: unknown[]): Canvas[] {
  parts.forEach((p, i) => {
    if (!isCanvas(p)) throw new TypeError(`${fn}(): argument ${i + 1} is not a node or canvas (task, approval, map, chain, group, chord), got ${describe(p)}`);
  });
  return parts as Canvas[];
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value;
}

const KINDS: ReadonlySet<unknown> = new Set(['node', 'chain', 'group', 'chord']);

export function isCanvas(value: unknown): value is Canvas {
  return typeof value === 'object' && value !== null && KINDS.has((value as { kind?: unknown }).kind);
}

/** Runs each part after every tail of the part before it. */
export function chain(...parts: Canvas[]): Chain {
  return Object.freeze({ kind: 'chain' as const, parts: Object.freeze(checkParts('chain', parts)) });
}

/** Runs its parts in parallel. */
export function group(...parts: Canvas[]): Group {
  return Object.freeze({ kind: 'group' as const, parts: Object.freeze(checkParts('group', parts)) });
}

/** Runs `callback` once every member of `header` is done (fan-in). An array header is a group. */
export function chord(header: Group | Canvas[], callback: Canvas): Chord {
  const g = Array.isArray(header) ? group(...header) : header;
  if (!isCanvas(g) || g.kind !== 'group') throw new TypeError(`chord(): the header must be a group(...) or an array of nodes, got ${describe(header)}`);
  checkParts('chord', [g, callback]);
  return Object.freeze({ kind: 'chord' as const, header: g, callback });
}

// ---- references for reading upstream outputs in expressions ----

type Prev = [never, 0, 1, 2, 3, 4, 5];
/**
 * Dotted paths into `T`, five levels deep. Arrays are looked through, as in
 * JSONata, where `body.images.url` maps over the list. Unknown `T`: any string.
 */
export type OutputPath<T, Depth extends number = 5> = unknown extends T
  ? string
  : [Depth] extends [never]
    ? never
    : T extends readonly (infer E)[]
      ? OutputPath<E, Depth>
      : T extends object
        ? { [K in keyof T & string]: K | `${K}.${OutputPath<T[K], Prev[Depth]>}` }[keyof T & string]
        : never;

const JSONATA_RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** A JSONata field name: as is when it is a plain name, else in backticks. */
export function jsonataName(name: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !JSONATA_RESERVED.has(name)) return name;
  if (name.includes('`')) throw new TypeError(`a field name with a backtick cannot be used in an expression path: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** Quotes each dot-separated step; a trailing `[n]` index is kept as an index. */
function pathSteps(path: string | readonly string[]): string {
  const steps = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path;
  return steps
    .map((step) => {
      const m = typeof path === 'string' ? /^(.*?)((?:\[\d+\])*)$/.exec(step) : null;
      return m ? jsonataName(m[1]!) + m[2]! : jsonataName(step);
    })
    .map((s) => `.${s}`)
    .join('');
}

/** The JSONata expression (without braces) for a node's output, to build larger expressions. */
export function outputExpr<Out>(node: NodeRef<Out> | string, path?: OutputPath<Out> | readonly string[]): string {
  const id = typeof node === 'string' ? node : node.id;
  return `nodes.${jsonataName(id)}.output${path === undefined ? '' : pathSteps(path)}`;
}

/** `{{ nodes.<id>.output[.path] }}`: an upstream node's output, as a raw value. */
export function output<Out>(node: NodeRef<Out> | string, path?: OutputPath<Out> | readonly string[]): string {
  return `{{ ${outputExpr(node, path)} }}`;
}

/** `{{ input[.path] }}`: the run input. */
export function input(path?: string | readonly string[]): string {
  return `{{ input${path === undefined ? '' : pathSteps(path)} }}`;
}

/** `{{ item[.path] }}`: the current item (or batch) inside a map node. */
export function item(path?: string | readonly string[]): string {
  return `{{ item${path === undefined ? '' : pathSteps(path)} }}`;
}

/** `{{ index }}`: the current item's position inside a map node. */
export function index(): string {
  return '{{ index }}';
}

/** `{{ run.id }}`: the run's id (its workflow id). */
export function runId(): string {
  return '{{ run.id }}';
}

/** Any JSONata expression as a template: `expr('$count(' + outputExpr(resize) + ') > 0')`. */
export function expr(expression: string): string {
  return `{{ ${expression} }}`;
}

// ---- wiring ----

interface Ends {
  heads: NodeRef<unknown>[];
  tails: NodeRef<unknown>[];
}

class Wiring {
  /** Nodes in first-seen order; the same object seen twice is one node. */
  readonly nodes: NodeRef<unknown>[] = [];
  private readonly edges = new Map<NodeRef<unknown>, string[]>();

  add(node: NodeRef<unknown>): void {
    if (this.edges.has(node)) return;
    this.edges.set(node, [...(node.definition.after ?? [])]);
    // A node given in `after` but not in the canvas still belongs to the DAG, before its dependent.
    for (const dep of afterRefs.get(node) ?? []) if (typeof dep !== 'string') this.add(dep);
    this.nodes.push(node);
  }

  connect(from: readonly NodeRef<unknown>[], to: readonly NodeRef<unknown>[]): void {
    for (const node of to) {
      const after = this.edges.get(node)!;
      const has = new Set(after);
      for (const dep of from) {
        if (has.has(dep.id)) continue;
        has.add(dep.id);
        after.push(dep.id);
      }
    }
  }

  walk(canvas: Canvas): Ends {
    switch (canvas.kind) {
      case 'node':
        this.add(canvas);
        return { heads: [canvas], tails: [canvas] };
      case 'group':
        return this.parallel(canvas.parts);
      case 'chain':
        return this.sequence(canvas.parts);
      case 'chord':
        return this.sequence([canvas.header, canvas.callback]);
    }
  }

  private parallel(parts: readonly Canvas[]): Ends {
    // Sets keep first-seen order and make a group of thousands of nodes linear.
    const heads = new Set<NodeRef<unknown>>();
    const tails = new Set<NodeRef<unknown>>();
    for (const part of parts) {
      const e = this.walk(part);
      e.heads.forEach((h) => heads.add(h));
      e.tails.forEach((t) => tails.add(t));
    }
    return { heads: [...heads], tails: [...tails] };
  }

  private sequence(parts: readonly Canvas[]): Ends {
    let ends: Ends | undefined;
    for (const part of parts) {
      const e = this.walk(part);
      // An empty part (an empty group) is skipped, so the chain stays connected.
      if (e.heads.length === 0) continue;
      if (ends) this.connect(ends.tails, e.heads);
      ends = { heads: ends?.heads ?? e.heads, tails: e.tails };
    }
    return ends ?? { heads: [], tails: [] };
  }

  definitions(): NodeDefinition[] {
    return this.nodes.map((node) => {
      const after = this.edges.get(node)!;
      const { after: _own, ...rest } = node.definition;
      return after.length > 0 ? { ...jsonCopy(rest), after: [...after] } : jsonCopy(rest);
    });
  }
}

/** A deep copy of plain JSON, so a returned definition shares nothing with the builder's nodes. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Builds the definition without validating it. */
function assemble(name: string, canvas: Canvas | Canvas[], opts: DagOptions): DagDefinition {
  const root = Array.isArray(canvas) ? group(...canvas) : canvas;
  checkParts('dag', [root]);
  const wiring = new Wiring();
  wiring.walk(root);
  const { activities: _a, source: _s, ...fields } = opts;
  return { name, ...jsonCopy(defined(fields)), nodes: wiring.definitions() };
}

/**
 * The plain DagDefinition (JSON-serialisable, the same form as a YAML file).
 * Throws DagValidationError, with the same paths as for a file, when it is invalid.
 */
export function dag(name: string, canvas: Canvas | Canvas[], opts: DagOptions = {}): DagDefinition {
  const definition = assemble(name, canvas, opts);
  const result = validateDag(definition, opts);
  if (!result.ok) throw new DagValidationError(result.issues, opts.source ?? `builder dag "${name}"`);
  return definition;
}

/** The compiled DAG, ready to run: `compileDag(dag(name, canvas, opts))`. */
export function buildDag(name: string, canvas: Canvas | Canvas[], opts: DagOptions = {}): CompiledDag {
  return compileDag(assemble(name, canvas, opts), { ...opts, source: opts.source ?? `builder dag "${name}"` });
}

/**
 * Graph export of a DAG as Mermaid (`flowchart TD`) or Graphviz DOT. Labels
 * show the node id, its activity (or "approval"), map fan-out, `when`, delays
 * and compensation; edges into a node with a trigger rule other than
 * all-success carry the rule. Node states, when given, colour the nodes.
 */
import { formatDuration } from './duration';
import type { DagDefinition, TriggerRule } from './schema';
import { BUILTIN_DEFAULTS, type CompiledDag, type NodeState } from './types';

export const GRAPH_FORMATS = ['mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphOptions {
  /** State of each node by id (from a run's status); nodes without one are drawn plain. */
  states?: Readonly<Record<string, NodeState>> | ReadonlyMap<string, NodeState>;
}

interface GraphNode {
  id: string;
  after: string[];
  trigger: TriggerRule;
  /** Text lines of the label, unescaped. */
  lines: string[];
  shape: 'task' | 'map' | 'approval';
}

/** Longest expression text shown in a label; longer ones end in "…". */
const MAX_TEXT = 80;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

/** `{{ expr }}` → `expr`; other text as it is. */
function expressionText(value: string): string {
  const m = /^\s*\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  return clip(m && !m[1]!.includes('{{') ? m[1]!.trim() : value);
}

function timeText(value: number | string): string {
  return typeof value === 'number' ? formatDuration(value) : expressionText(value);
}

function mapLine(items: string | unknown[], concurrency: number, batchSize: number): string {
  const over = Array.isArray(items) ? `${items.length} item${items.length === 1 ? '' : 's'}` : expressionText(items);
  const batches = batchSize > 1 ? `, batches of ${batchSize}` : '';
  return `map over ${over} (${concurrency} at a time${batches})`;
}

function isCompiled(dag: CompiledDag | DagDefinition): dag is CompiledDag {
  return 'formatVersion' in dag;
}

function fromCompiled(dag: CompiledDag): GraphNode[] {
  return dag.nodes.map((n) => {
    const lines = [n.id, n.kind === 'approval' ? 'approval' : n.call!.activity];
    if (n.map) lines.push(mapLine(n.map.items, n.map.concurrency, n.map.batchSize));
    if (n.when !== undefined) lines.push(`when ${expressionText(n.when)}`);
    if (n.delay !== undefined) lines.push(`delay ${timeText(n.delay)}`);
    if (n.at !== undefined) lines.push(`at ${expressionText(n.at)}`);
    if (n.onError === 'ignore') lines.push('errors ignored');
    if (n.compensate) lines.push(`compensate: ${n.compensate.activity}`);
    return { id: n.id, after: n.after, trigger: n.trigger, lines, shape: n.kind === 'approval' ? 'approval' : n.map ? 'map' : 'task' };
  });
}

function fromDefinition(dag: DagDefinition): GraphNode[] {
  return dag.nodes.map((n) => {
    const approval = n.type === 'approval';
    const lines = [n.id, approval ? 'approval' : (n.activity ?? '(no activity)')];
    if (n.map) lines.push(mapLine(n.map.items, n.map.concurrency ?? BUILTIN_DEFAULTS.mapConcurrency, n.map.batchSize ?? 1));
    if (n.when !== undefined) lines.push(`when ${expressionText(n.when)}`);
    if (n.delay !== undefined) lines.push(`delay ${typeof n.delay === 'string' && !n.delay.includes('{{') ? n.delay : timeText(n.delay)}`);
    if (n.at !== undefined) lines.push(`at ${expressionText(n.at)}`);
    if (n.onError === 'ignore') lines.push('errors ignored');
    if (n.compensate) lines.push(`compensate: ${n.compensate.activity}`);
    return { id: n.id, after: n.after ?? [], trigger: n.trigger ?? BUILTIN_DEFAULTS.trigger, lines, shape: approval ? 'approval' : n.map ? 'map' : 'task' };
  });
}

function graphNodes(dag: CompiledDag | DagDefinition): GraphNode[] {
  return isCompiled(dag) ? fromCompiled(dag) : fromDefinition(dag);
}

function stateOf(states: GraphOptions['states'], id: string): NodeState | undefined {
  if (!states) return undefined;
  if (states instanceof Map) return (states as ReadonlyMap<string, NodeState>).get(id);
  return Object.prototype.hasOwnProperty.call(states, id) ? (states as Readonly<Record<string, NodeState>>)[id] : undefined;
}

/** Edges in node order: [from, to, trigger label or undefined]. Edges to unknown nodes are left out. */
function edges(nodes: GraphNode[]): Array<[string, string, string | undefined]> {
  const known = new Set(nodes.map((n) => n.id));
  return nodes.flatMap((n) =>
    n.after.filter((dep) => known.has(dep)).map((dep): [string, string, string | undefined] => [dep, n.id, n.trigger === 'all-success' ? undefined : n.trigger]),
  );
}

/** Fill, border and text colour of each state, shared by both formats. */
const STATE_COLORS: Record<NodeState, { fill: string; stroke: string; text: string; dashed?: true }> = {
  pending: { fill: '#f3f4f6', stroke: '#9ca3af', text: '#374151' },
  waiting: { fill: '#fef3c7', stroke: '#d97706', text: '#78350f' },
  running: { fill: '#dbeafe', stroke: '#2563eb', text: '#1e3a8a' },
  succeeded: { fill: '#dcfce7', stroke: '#16a34a', text: '#14532d' },
  failed: { fill: '#fee2e2', stroke: '#dc2626', text: '#7f1d1d' },
  skipped: { fill: '#f9fafb', stroke: '#9ca3af', text: '#6b7280', dashed: true },
  cancelled: { fill: '#e5e7eb', stroke: '#4b5563', text: '#374151', dashed: true },
};

const MERMAID_ENTITIES: Record<string, string> = { '#': '#35;', '"': '#34;', '<': '#60;', '>': '#62;', '&': '#38;', '`': '#96;' };

/** Text for a quoted Mermaid label: entity codes for the characters Mermaid would read as syntax or HTML. */
export function escapeMermaid(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[#"<>&`]/g, (c) => MERMAID_ENTITIES[c]!);
}

/** Text for a quoted DOT string; newlines become `\n` line breaks. */
export function escapeDot(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n');
}

const MERMAID_SHAPES: Record<GraphNode['shape'], [string, string]> = { task: ['[', ']'], map: ['[[', ']]'], approval: ['{{', '}}'] };

/** Mermaid `flowchart TD`. Node ids are n0, n1, … (DAG ids such as `end` or `a-b` break Mermaid); labels carry the real ids. */
export function toMermaid(dag: CompiledDag | DagDefinition, opts: GraphOptions = {}): string {
  const nodes = graphNodes(dag);
  const key = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const out = ['flowchart TD'];
  for (const n of nodes) {
    const [open, close] = MERMAID_SHAPES[n.shape];
    out.push(`  ${key.get(n.id)}${open}"${n.lines.map(escapeMermaid).join('<br/>')}"${close}`);
  }
  for (const [from, to, label] of edges(nodes)) {
    out.push(`  ${key.get(from)} -->${label ? `|"${escapeMermaid(label)}"|` : ''} ${key.get(to)}`);
  }
  const byState = new Map<NodeState, string[]>();
  for (const n of nodes) {
    const state = stateOf(opts.states, n.id);
    if (state && STATE_COLORS[state]) byState.set(state, [...(byState.get(state) ?? []), key.get(n.id)!]);
  }
  for (const [state, ids] of byState) {
    const c = STATE_COLORS[state];
    out.push(`  classDef ${state} fill:${c.fill},stroke:${c.stroke},color:${c.text}${c.dashed ? ',stroke-dasharray:4 3' : ''}`);
    out.push(`  class ${ids.join(',')} ${state}`);
  }
  return out.join('\n');
}

const DOT_SHAPES: Record<GraphNode['shape'], { shape?: string; rounded: boolean }> = {
  task: { rounded: true },
  map: { shape: 'box3d', rounded: false },
  approval: { shape: 'hexagon', rounded: false },
};

function dotAttrs(attrs: Array<[string, string | undefined]>): string {
  const set = attrs.filter((a): a is [string, string] => a[1] !== undefined);
  return set.length ? ` [${set.map(([k, v]) => `${k}="${escapeDot(v)}"`).join(', ')}]` : '';
}

/** Graphviz DOT (`dot -Tsvg`). Boxes are activities, 3-D boxes maps, hexagons approvals. */
export function toDot(dag: CompiledDag | DagDefinition, opts: GraphOptions = {}): string {
  const nodes = graphNodes(dag);
  const out = [`digraph "${escapeDot(dag.name)}" {`, '  rankdir=TB;', '  node [shape=box, style=rounded];'];
  for (const n of nodes) {
    const { shape, rounded } = DOT_SHAPES[n.shape];
    const state = stateOf(opts.states, n.id);
    const c = state ? STATE_COLORS[state] : undefined;
    const style = [...(rounded ? ['rounded'] : []), ...(c ? ['filled'] : []), ...(c?.dashed ? ['dashed'] : [])].join(',') || 'solid';
    out.push(
      `  "${escapeDot(n.id)}"${dotAttrs([
        ['label', n.lines.join('\n')],
        ['shape', shape],
        ['style', style === 'rounded' ? undefined : style],
        ['fillcolor', c?.fill],
        ['color', c?.stroke],
        ['fontcolor', c?.text],
      ])};`,
    );
  }
  for (const [from, to, label] of edges(nodes)) out.push(`  "${escapeDot(from)}" -> "${escapeDot(to)}"${dotAttrs([['label', label]])};`);
  out.push('}');
  return out.join('\n');
}

/** The graph in the given format. */
export function renderGraph(dag: CompiledDag | DagDefinition, format: GraphFormat, opts: GraphOptions = {}): string {
  return format === 'dot' ? toDot(dag, opts) : toMermaid(dag, opts);
}

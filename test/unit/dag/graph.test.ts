/** Graph export: exact Mermaid and DOT for a small DAG, state styling, and escaping for both formats. */
import { describe, expect, it } from 'vitest';
import { approval, chain, dag, expr, group, map, output, task } from '../../../src/dag/builder';
import { compileDag } from '../../../src/dag/compile';
import { escapeDot, escapeMermaid, renderGraph, toDot, toMermaid } from '../../../src/dag/graph';

const small = compileDag(
  dag(
    'small',
    chain(
      task('fetch', 'http.request'),
      group(map('resize', 'image.resize', { items: output('fetch', 'body.images'), concurrency: 5 }), approval('approve')),
      task('notify', 'notify.webhook', { trigger: 'one-success', when: expr('$count(nodes.resize.output) > 0') }),
    ),
  ),
);

describe('toMermaid', () => {
  it('draws ids, activities, map fan-out, approvals, when and trigger rules', () => {
    expect(toMermaid(small)).toBe(
      [
        'flowchart TD',
        '  n0["fetch<br/>http.request"]',
        '  n1[["resize<br/>image.resize<br/>map over nodes.fetch.output.body.images (5 at a time)"]]',
        '  n2{{"approve<br/>approval"}}',
        '  n3["notify<br/>notify.webhook<br/>when $count(nodes.resize.output) #62; 0"]',
        '  n0 --> n1',
        '  n0 --> n2',
        '  n1 -->|"one-success"| n3',
        '  n2 -->|"one-success"| n3',
      ].join('\n'),
    );
  });

  it('styles nodes by state with one class per state used', () => {
    const text = toMermaid(small, { states: { fetch: 'succeeded', resize: 'running', approve: 'running', notify: 'pending' } });
    expect(text.split('\n').slice(9)).toEqual([
      '  classDef succeeded fill:#dcfce7,stroke:#16a34a,color:#14532d',
      '  class n0 succeeded',
      '  classDef running fill:#dbeafe,stroke:#2563eb,color:#1e3a8a',
      '  class n1,n2 running',
      '  classDef pending fill:#f3f4f6,stroke:#9ca3af,color:#374151',
      '  class n3 pending',
    ]);
  });

  it('draws skipped and cancelled nodes dashed, and takes states as a Map', () => {
    const text = toMermaid(small, { states: new Map([['notify', 'skipped'] as const]) });
    expect(text).toContain('  classDef skipped fill:#f9fafb,stroke:#9ca3af,color:#6b7280,stroke-dasharray:4 3\n  class n3 skipped');
  });

  it('uses generated Mermaid ids, so DAG ids such as "end" or "a-b" cannot break the chart', () => {
    const text = toMermaid(compileDag({ name: 'ids', nodes: [{ id: 'end', activity: 'x.y' }, { id: 'a-b', activity: 'x.y', after: ['end'] }] }));
    expect(text).toBe(['flowchart TD', '  n0["end<br/>x.y"]', '  n1["a-b<br/>x.y"]', '  n0 --> n1'].join('\n'));
  });
});

describe('toDot', () => {
  it('draws ids, activities, map fan-out, approvals, when and trigger rules', () => {
    expect(toDot(small)).toBe(String.raw`digraph "small" {
  rankdir=TB;
  node [shape=box, style=rounded];
  "fetch" [label="fetch\nhttp.request"];
  "resize" [label="resize\nimage.resize\nmap over nodes.fetch.output.body.images (5 at a time)", shape="box3d", style="solid"];
  "approve" [label="approve\napproval", shape="hexagon", style="solid"];
  "notify" [label="notify\nnotify.webhook\nwhen $count(nodes.resize.output) > 0"];
  "fetch" -> "resize";
  "fetch" -> "approve";
  "resize" -> "notify" [label="one-success"];
  "approve" -> "notify" [label="one-success"];
}`);
  });

  it('fills nodes with the colours of their states', () => {
    const lines = toDot(small, { states: { fetch: 'failed', notify: 'cancelled' } }).split('\n');
    expect(lines[3]).toBe('  "fetch" [label="fetch\\nhttp.request", style="rounded,filled", fillcolor="#fee2e2", color="#dc2626", fontcolor="#7f1d1d"];');
    expect(lines[6]).toContain('style="rounded,filled,dashed", fillcolor="#e5e7eb"');
  });
});

describe('labels', () => {
  const tricky = compileDag({
    name: 'tricky',
    nodes: [
      { id: 'a', activity: 'demo.step', delay: '1h30m', onError: 'ignore', compensate: { activity: 'demo.undo' } },
      { id: 'b', type: 'approval', after: ['a'], when: '{{ nodes.a.output.note = "say \\"hi\\" #1 <b> & `x`" }}' },
      { id: 'c', activity: 'demo.step', after: ['b'], trigger: 'all-done', map: { items: [1, 2, 3], batchSize: 2 } },
    ],
  });

  it('escapes quotes, #, <, >, & and backticks for Mermaid', () => {
    expect(toMermaid(tricky).split('\n')[2]).toBe(
      '  n1{{"b<br/>approval<br/>when nodes.a.output.note = #34;say \\#34;hi\\#34; #35;1 #60;b#62; #38; #96;x#96;#34;"}}',
    );
  });

  it('escapes quotes and backslashes for DOT', () => {
    expect(toDot(tricky).split('\n')[4]).toBe(
      String.raw`  "b" [label="b\napproval\nwhen nodes.a.output.note = \"say \\\"hi\\\" #1 <b> & ` + '`x`' + String.raw`\"", shape="hexagon", style="solid"];`,
    );
  });

  it('shows delays, ignored errors, compensation, literal map items and batches', () => {
    expect(toMermaid(tricky).split('\n')[1]).toBe('  n0["a<br/>demo.step<br/>delay 1h30m<br/>errors ignored<br/>compensate: demo.undo"]');
    expect(toMermaid(tricky).split('\n')[3]).toBe('  n2[["c<br/>demo.step<br/>map over 3 items (10 at a time, batches of 2)"]]');
  });

  it('escapeMermaid turns syntax characters into entity codes and newlines into spaces', () => {
    expect(escapeMermaid('a "b" #c <d> & `e`\nf')).toBe('a #34;b#34; #35;c #60;d#62; #38; #96;e#96; f');
  });

  it('escapeDot escapes backslashes before quotes and writes newlines as \\n', () => {
    expect(escapeDot('say "hi" \\ there\nnext')).toBe('say \\"hi\\" \\\\ there\\nnext');
  });

  it('cuts very long expressions short', () => {
    const long = compileDag({ name: 'long', nodes: [{ id: 'a', activity: 'x.y', when: `{{ ${'input.flag and '.repeat(20)}true }}` }] });
    const label = toMermaid(long).split('\n')[1]!;
    expect(label).toMatch(/when input\.flag and .*…"\]$/);
    expect(label.length).toBeLessThan(140);
  });
});

describe('definitions and formats', () => {
  it('draws a definition the same as its compiled form', () => {
    const def = dag('same', chain(task('a', 'x.y', { delay: '10m' }), map('b', 'x.y', { items: output('a') })));
    expect(toMermaid(def)).toBe(toMermaid(compileDag(def)));
    expect(toDot(def)).toBe(toDot(compileDag(def)));
  });

  it('renderGraph picks the format', () => {
    expect(renderGraph(small, 'mermaid')).toBe(toMermaid(small));
    expect(renderGraph(small, 'dot')).toBe(toDot(small));
  });
});

/** The trivial DAG the outbox tests target: one `noop` node, so runs start and finish fast. No vitest here: the crash fixture imports it too. */
import { compileDag, type CompiledDag } from '../../../src/dag';
import type { DagResolver } from '../../../src/outbox';

export function noopDag(name: string): CompiledDag {
  return compileDag({ name, nodes: [{ id: 'echo', activity: 'noop', input: '{{ input }}' }] });
}

/** Resolves the test's own DAG by name; any other name goes to the client's DAGs folder. */
export function resolverFor(dag: CompiledDag): DagResolver {
  return (name) => (name === dag.name ? dag : name);
}

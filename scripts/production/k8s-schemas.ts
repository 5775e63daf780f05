/**
 * Turns the "local" Kubernetes JSON schemas that the kubernetes-validate
 * wheel ships (PyPI; one file per kind, each pointing into a shared
 * _definitions.json by an absolute /api/... reference) into standalone files
 * that kubeconform can read offline: every reference made local, and only the
 * definitions a kind reaches embedded in it.
 *
 *   npx tsx scripts/production/k8s-schemas.ts <local-strict dir> <out dir>
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SHARED = '/api/_definitions.json#/$defs/';
const LOCAL = '#/$defs/';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Rewrites every shared reference to a local one, collecting the names it points at. */
function localise(node: Json, refs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => localise(n, refs));
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && (v.startsWith(SHARED) || v.startsWith(LOCAL))) {
      const name = v.startsWith(SHARED) ? v.slice(SHARED.length) : v.slice(LOCAL.length);
      refs.add(name);
      out[k] = LOCAL + name;
    } else out[k] = localise(v, refs);
  }
  return out;
}

export function bundleSchemas(srcDir: string, outDir: string): number {
  const shared = (JSON.parse(readFileSync(join(srcDir, '_definitions.json'), 'utf8')) as { $defs: Record<string, Json> }).$defs;
  mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const file of readdirSync(srcDir)) {
    if (!file.endsWith('.json') || file.startsWith('_')) continue;
    const refs = new Set<string>();
    const schema = localise(JSON.parse(readFileSync(join(srcDir, file), 'utf8')) as Json, refs) as { [k: string]: Json };
    // Walk the closure: a definition may reference others.
    const defs: Record<string, Json> = {};
    const queue = [...refs];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (name in defs) continue;
      const def = shared[name];
      if (def === undefined) throw new Error(`${file}: reference to ${name}, which ${srcDir}/_definitions.json does not define`);
      const more = new Set<string>();
      defs[name] = localise(def, more);
      for (const m of more) if (!(m in defs)) queue.push(m);
    }
    // The $id would make kubeconform resolve references against kubernetes.io.
    delete schema.$id;
    writeFileSync(join(outDir, file), JSON.stringify({ ...schema, $defs: defs }));
    written++;
  }
  return written;
}

if (require.main === module) {
  const [src, out] = process.argv.slice(2);
  if (!src || !out) {
    process.stderr.write('usage: k8s-schemas.ts <local-strict schema dir> <out dir>\n');
    process.exit(2);
  }
  process.stdout.write(`${bundleSchemas(src, out)} standalone schemas in ${out}\n`);
}

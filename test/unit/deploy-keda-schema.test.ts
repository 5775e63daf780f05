/**
 * deploy/k8s/keda.yaml against KEDA's own definitions, offline once cached:
 * the ScaledObject CRD's schema (config/crd/bases in the KEDA Go module), made
 * strict the way kubeconform makes Kubernetes schemas strict (an object with
 * listed properties allows no others), and the temporal scaler's trigger
 * metadata (the `keda:"name=…"` tags of pkg/scalers/temporal.go), which the
 * CRD types only as a map of strings. kubeconform skips the ScaledObject
 * (scripts/production/validate-manifests.sh), so this is its schema check.
 *
 * The module comes from the Go module proxy with `go mod download` into the
 * Go module cache, once (2.4 MB).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';

/** The KEDA release whose CRD and scaler the manifests are written for (keda.yaml says 2.17 or later). */
const KEDA_MODULE = 'github.com/kedacore/keda/v2@v2.17.0';
const KEDA_YAML = join(__dirname, '..', '..', 'deploy', 'k8s', 'keda.yaml');

function kedaModuleDir(): string {
  const go = (...args: string[]) => spawnSync('go', args, { encoding: 'utf8', cwd: __dirname, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  const cache = go('env', 'GOMODCACHE');
  if (cache.error || cache.status !== 0) throw new Error(`this test needs Go to fetch ${KEDA_MODULE} from the Go module proxy: ${cache.error?.message ?? cache.stderr}`);
  const dir = join(cache.stdout.trim(), ...KEDA_MODULE.split('/'));
  if (!existsSync(dir)) {
    const got = go('mod', 'download', '-json', KEDA_MODULE);
    if (got.status !== 0) throw new Error(`go mod download ${KEDA_MODULE} failed: ${got.stdout}${got.stderr}`);
  }
  return dir;
}

type Schema = { [k: string]: unknown };

/** kubeconform's -strict for a CRD: objects with listed properties refuse others, unless Kubernetes says to keep unknown fields. */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)])) : strict(v)]));
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

interface Trigger { type: string; metadata: Record<string, string> }
interface ScaledObject { spec: { triggers: Trigger[] } }

/** The temporal scaler's trigger metadata: each name, and whether it must be given. */
function temporalMetadata(dir: string): Map<string, { required: boolean }> {
  const src = readFileSync(join(dir, 'pkg', 'scalers', 'temporal.go'), 'utf8');
  const out = new Map<string, { required: boolean }>();
  for (const m of src.matchAll(/keda:"([^"]+)"/g)) {
    const tag = Object.fromEntries(m[1]!.split(',').map((part) => part.trim().split('=') as [string, string | undefined]));
    if (!tag.name || !(tag.order ?? '').split(';').includes('triggerMetadata')) continue;
    out.set(tag.name, { required: !('optional' in tag) && tag.default === undefined });
  }
  return out;
}

/** Everything wrong with a ScaledObject, as `path: message`. */
function check(doc: unknown, validate: ValidateFunction, metadata: Map<string, { required: boolean }>): string[] {
  const out = validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`);
  ((doc as ScaledObject).spec?.triggers ?? []).forEach((t, i) => {
    if (t.type !== 'temporal') return;
    for (const key of Object.keys(t.metadata ?? {})) if (!metadata.has(key)) out.push(`/spec/triggers/${i}/metadata: unknown temporal scaler field '${key}'`);
    for (const [key, { required }] of metadata) if (required && !(key in (t.metadata ?? {}))) out.push(`/spec/triggers/${i}/metadata: the temporal scaler needs '${key}'`);
  });
  return out;
}

let validate: ValidateFunction;
let metadata: Map<string, { required: boolean }>;
const scaledObject = (): ScaledObject & Schema => parseAllDocuments(readFileSync(KEDA_YAML, 'utf8')).map((d) => d.toJS() as Schema).find((d) => d.kind === 'ScaledObject') as ScaledObject & Schema;

beforeAll(() => {
  const dir = kedaModuleDir();
  const crd = parse(readFileSync(join(dir, 'config', 'crd', 'bases', 'keda.sh_scaledobjects.yaml'), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const version = crd.spec.versions.find((v) => v.name === 'v1alpha1')!;
  // Kubernetes' x-kubernetes-* keywords and int32/int64 formats mean nothing to Ajv; structure is what is checked.
  validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(strict(version.schema.openAPIV3Schema) as Schema);
  metadata = temporalMetadata(dir);
}, 120_000);

describe('deploy/k8s/keda.yaml against KEDA 2.17', () => {
  it('is a valid ScaledObject with a temporal trigger KEDA understands', () => {
    const doc = scaledObject();
    expect(doc.apiVersion).toBe('keda.sh/v1alpha1');
    expect(metadata.get('taskQueue')).toEqual({ required: true });
    expect(check(doc, validate, metadata)).toEqual([]);
  });

  it('would report a misspelt field of the ScaledObject', () => {
    const doc = scaledObject();
    (doc.spec as unknown as Schema).minReplicas = 1;
    expect(check(doc, validate, metadata)).toContain("/spec: must NOT have additional properties 'minReplicas'");
  });

  it('would report a field of the wrong type', () => {
    const doc = scaledObject();
    (doc.spec as unknown as Schema).pollingInterval = '10s';
    expect(check(doc, validate, metadata).join('\n')).toMatch(/\/spec\/pollingInterval: must be integer/);
  });

  it('would report a trigger field the temporal scaler does not read, and a missing one it needs', () => {
    const doc = scaledObject();
    const t = doc.spec.triggers[0]!;
    t.metadata.queueType = t.metadata.queueTypes!;
    delete t.metadata.queueTypes;
    delete t.metadata.taskQueue;
    expect(check(doc, validate, metadata)).toEqual([
      "/spec/triggers/0/metadata: unknown temporal scaler field 'queueType'",
      "/spec/triggers/0/metadata: the temporal scaler needs 'taskQueue'",
    ]);
  });
});

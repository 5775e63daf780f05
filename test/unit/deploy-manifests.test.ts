/**
 * deploy/k8s as one system: every manifest parses, and the fields that must
 * agree across files do (names, labels and selectors, ports and probe paths,
 * the ConfigMaps pods read, the task queue and cluster KEDA watches against
 * the env the workers get). kubeconform checks each document against its
 * schema (test/production/manifests.test.ts) and deploy-keda-schema.test.ts
 * checks the ScaledObject against KEDA's CRD, but neither sees one file from
 * another. Each rule has a test that breaks a copy of the manifests, so a
 * check that cannot fail shows up here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { startWorkerHttpServer, WorkerProbes, type WorkerHttpServer } from '../../src/workers/probes';

const DIR = join(__dirname, '..', '..', 'deploy', 'k8s');

type Labels = Record<string, string>;
interface Probe { httpGet?: { path: string; port: string | number } }
interface Container {
  name: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  envFrom?: { configMapRef?: { name: string } }[];
  env?: { name: string; value?: string }[];
}
interface PodSpec { containers: Container[]; volumes?: { name: string; configMap?: { name: string } }[] }
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Manifest { file: string; doc: Doc }

function loadAll(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      const doc = d.toJS() as Doc | null;
      if (doc) out.push({ file, doc });
    }
  }
  return out;
}

const podSpecOf = (d: Doc): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const podLabelsOf = (d: Doc): Labels => (d.spec as { template: { metadata: { labels: Labels } } }).template.metadata.labels;
const selects = (selector: Labels, labels: Labels): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);
const argValue = (args: string[] | undefined, flag: string): string | undefined => (args?.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

/** The paths each program serves on the port its probes use; the worker's come from a real probe server (see beforeAll). */
const SERVED: Record<string, Set<string>> = { api: new Set(['/healthz', '/readyz', '/metrics']), worker: new Set() };

/** Every disagreement between the manifests, as `file: what`. Empty when they agree. */
function problems(all: Manifest[]): string[] {
  const out: string[] = [];
  const of = (kind: string) => all.filter((m) => m.doc.kind === kind);
  const configMaps = new Map(of('ConfigMap').map((m) => [m.doc.metadata.name, m.doc.data ?? {}]));
  const deployments = of('Deployment');
  const namespace = all[0]?.doc.metadata.namespace;

  for (const { file, doc } of all) {
    const where = `${file}: ${doc.kind} ${doc.metadata?.name ?? '(no name)'}`;
    if (!doc.apiVersion || !doc.kind || !doc.metadata?.name) out.push(`${where}: needs apiVersion, kind and metadata.name`);
    if (doc.metadata?.namespace !== namespace) out.push(`${where}: namespace ${doc.metadata?.namespace} is not ${namespace}, the others'`);
    if (doc.metadata?.labels?.['app.kubernetes.io/part-of'] !== 'weft') out.push(`${where}: lacks the label app.kubernetes.io/part-of: weft`);
  }

  for (const { file, doc } of deployments) {
    const where = `${file}: Deployment ${doc.metadata.name}`;
    const selector = (doc.spec as { selector: { matchLabels: Labels } }).selector.matchLabels;
    if (!selects(selector, podLabelsOf(doc))) out.push(`${where}: selector ${JSON.stringify(selector)} does not match its pod labels`);
    const pod = podSpecOf(doc);
    for (const v of pod.volumes ?? []) if (v.configMap && !configMaps.has(v.configMap.name)) out.push(`${where}: volume ${v.name} names ConfigMap ${v.configMap.name}, which no manifest defines`);
    for (const c of pod.containers) {
      const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      for (const ref of c.envFrom ?? []) if (ref.configMapRef && !configMaps.has(ref.configMapRef.name)) out.push(`${where}: envFrom names ConfigMap ${ref.configMapRef.name}, which no manifest defines`);
      const program = c.args?.[0] ?? '';
      for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        const get = c[kind]?.httpGet;
        if (!get) continue;
        if (typeof get.port === 'string' && !ports.has(get.port)) out.push(`${where}: ${kind} uses port "${get.port}", which the container does not name`);
        if (!SERVED[program]?.has(get.path)) out.push(`${where}: ${kind} asks ${get.path}, which \`weft ${program}\` does not serve`);
      }
      if (c.readinessProbe?.httpGet?.path !== '/readyz') out.push(`${where}: readinessProbe must ask /readyz`);
      if (program === 'worker') {
        const metricsPort = Number(argValue(c.args, '--metrics-port'));
        if (ports.get('metrics') !== metricsPort) out.push(`${where}: --metrics-port ${metricsPort} is not the "metrics" containerPort ${ports.get('metrics')}`);
      }
      if (program === 'api') {
        const port = Number(argValue(c.args, '--port'));
        if (ports.get('http') !== port) out.push(`${where}: --port ${port} is not the "http" containerPort ${ports.get('http')}`);
      }
    }
  }

  for (const { file, doc } of [...of('Service'), ...of('PodDisruptionBudget')]) {
    const where = `${file}: ${doc.kind} ${doc.metadata.name}`;
    const spec = doc.spec as { selector: Labels | { matchLabels: Labels }; ports?: { targetPort: string | number }[] };
    const selector = (doc.kind === 'Service' ? spec.selector : (spec.selector as { matchLabels: Labels }).matchLabels) as Labels;
    const targets = deployments.filter((m) => selects(selector, podLabelsOf(m.doc)));
    if (targets.length !== 1) {
      out.push(`${where}: selector ${JSON.stringify(selector)} matches ${targets.length} Deployments' pods, not one`);
      continue;
    }
    const names = new Set(podSpecOf(targets[0]!.doc).containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)));
    for (const p of spec.ports ?? []) if (typeof p.targetPort === 'string' && !names.has(p.targetPort)) out.push(`${where}: targetPort "${p.targetPort}" is no port of ${targets[0]!.doc.metadata.name}`);
  }

  for (const { file, doc } of of('ScaledObject')) {
    const where = `${file}: ScaledObject ${doc.metadata.name}`;
    const spec = doc.spec as { scaleTargetRef: { name: string; kind?: string }; triggers: { type: string; metadata: Record<string, string> }[] };
    const target = deployments.find((m) => m.doc.metadata.name === spec.scaleTargetRef.name && (spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment');
    if (!target) {
      out.push(`${where}: scaleTargetRef ${spec.scaleTargetRef.name} is no Deployment here`);
      continue;
    }
    // What the worker pods see: their envFrom ConfigMaps, then env, then flags.
    const c = podSpecOf(target.doc).containers[0]!;
    const seen: Record<string, string> = {};
    for (const ref of c.envFrom ?? []) Object.assign(seen, configMaps.get(ref.configMapRef?.name ?? '') ?? {});
    for (const e of c.env ?? []) if (e.value !== undefined) seen[e.name] = e.value;
    const taskQueue = argValue(c.args, '--task-queue') ?? seen.WEFT_TASK_QUEUE ?? 'weft';
    const address = argValue(c.args, '--address') ?? seen.TEMPORAL_ADDRESS;
    const ns = argValue(c.args, '--namespace') ?? seen.TEMPORAL_NAMESPACE ?? 'default';
    for (const t of spec.triggers.filter((x) => x.type === 'temporal')) {
      if (t.metadata.taskQueue !== taskQueue) out.push(`${where}: the trigger watches task queue ${t.metadata.taskQueue}, the workers poll ${taskQueue}`);
      if (t.metadata.endpoint !== address) out.push(`${where}: the trigger asks ${t.metadata.endpoint}, the workers connect to ${address}`);
      if ((t.metadata.namespace ?? 'default') !== ns) out.push(`${where}: the trigger reads namespace ${t.metadata.namespace}, the workers use ${ns}`);
    }
  }
  return out;
}

/** A deep copy of the manifests with one change, to show a rule catches it. */
function broken(change: (all: Manifest[]) => void): Manifest[] {
  const copy = structuredClone(loadAll());
  change(copy);
  return copy;
}
const docOf = (all: Manifest[], kind: string, name: string): Doc => all.find((m) => m.doc.kind === kind && m.doc.metadata.name === name)!.doc;

let probeServer: WorkerHttpServer;
beforeAll(async () => {
  // The worker's paths are those its probe server answers (not 404), so a renamed route breaks this test too.
  probeServer = await startWorkerHttpServer(0, new WorkerProbes(), '127.0.0.1');
  for (const path of ['/healthz', '/readyz', '/metrics', '/ready']) {
    if ((await fetch(`${probeServer.url}${path}`)).status !== 404) SERVED.worker!.add(path);
  }
});
afterAll(async () => probeServer?.close());

describe('deploy/k8s manifests, together', () => {
  it('parse, and agree with one another', () => {
    const all = loadAll();
    expect(all.map((m) => m.doc.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'Deployment', 'PodDisruptionBudget', 'ScaledObject', 'Service']);
    expect(problems(all)).toEqual([]);
  });

  it('the worker serves what its probes ask', () => {
    expect([...SERVED.worker!].sort()).toEqual(['/healthz', '/metrics', '/readyz']);
  });

  const cases: Array<[string, (all: Manifest[]) => void, RegExp]> = [
    ['KEDA watching another task queue than the workers poll', (all) => ((docOf(all, 'ScaledObject', 'weft-worker').spec as { triggers: { metadata: Record<string, string> }[] }).triggers[0]!.metadata.taskQueue = 'images'), /watches task queue images, the workers poll weft/],
    ['the workers polling another task queue by flag', (all) => podSpecOf(docOf(all, 'Deployment', 'weft-worker')).containers[0]!.args!.push('--task-queue', 'other'), /the workers poll other/],
    ['KEDA asking another Temporal', (all) => (docOf(all, 'ConfigMap', 'weft-env').data!.TEMPORAL_ADDRESS = 'temporal:7233'), /the workers connect to temporal:7233/],
    ['KEDA scaling a Deployment that does not exist', (all) => ((docOf(all, 'ScaledObject', 'weft-worker').spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'worker'), /scaleTargetRef worker is no Deployment/],
    ['a readiness probe on /metrics', (all) => (podSpecOf(docOf(all, 'Deployment', 'weft-worker')).containers[0]!.readinessProbe!.httpGet!.path = '/metrics'), /readinessProbe must ask \/readyz/],
    ['a probe on a path the worker does not serve', (all) => (podSpecOf(docOf(all, 'Deployment', 'weft-worker')).containers[0]!.livenessProbe!.httpGet!.path = '/health'), /asks \/health, which `weft worker` does not serve/],
    ['a probe on a port the container does not name', (all) => (podSpecOf(docOf(all, 'Deployment', 'weft-api')).containers[0]!.livenessProbe!.httpGet!.port = 'web'), /uses port "web"/],
    ['--metrics-port off the metrics containerPort', (all) => (podSpecOf(docOf(all, 'Deployment', 'weft-worker')).containers[0]!.ports![0]!.containerPort = 9090), /--metrics-port 9464 is not the "metrics" containerPort 9090/],
    ['a Service selecting no pods', (all) => ((docOf(all, 'Service', 'weft-api').spec as { selector: Labels }).selector['app.kubernetes.io/name'] = 'api'), /matches 0 Deployments' pods/],
    ['a Service targeting a port the pods do not name', (all) => ((docOf(all, 'Service', 'weft-api').spec as { ports: { targetPort: string }[] }).ports[0]!.targetPort = 'web'), /targetPort "web"/],
    ['a PodDisruptionBudget selecting no pods', (all) => ((docOf(all, 'PodDisruptionBudget', 'weft-worker').spec as { selector: { matchLabels: Labels } }).selector.matchLabels['app.kubernetes.io/name'] = 'workers'), /PodDisruptionBudget weft-worker: selector/],
    ['a Deployment whose selector misses its pods', (all) => ((docOf(all, 'Deployment', 'weft-worker').spec as { selector: { matchLabels: Labels } }).selector.matchLabels['app.kubernetes.io/name'] = 'x'), /does not match its pod labels/],
    ['pods reading a ConfigMap nobody defines', (all) => (podSpecOf(docOf(all, 'Deployment', 'weft-api')).containers[0]!.envFrom![0]!.configMapRef!.name = 'weft-config'), /ConfigMap weft-config, which no manifest defines/],
    ['a document in another namespace', (all) => (docOf(all, 'Service', 'weft-api').metadata.namespace = 'default'), /namespace default is not weft/],
  ];
  for (const [what, change, expected] of cases) {
    it(`reports ${what}`, () => {
      expect(problems(broken(change)).join('\n')).toMatch(expected);
    });
  }
});

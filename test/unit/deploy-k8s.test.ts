/**
 * The Kubernetes manifests as data: what kubeconform cannot know (probes on
 * the routes Weft serves, grace periods against Weft's timeouts, the KEDA
 * trigger pointing at the same cluster and task queue as the pods) and the
 * DAGs ConfigMap read the way a pod reads it. Schema validation itself is
 * scripts/production/validate-manifests.sh.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { listDefinitions } from '../../src/client/definitions';
import { parseDuration } from '../../src/dag/duration';
import { BUILTIN_DEFAULTS } from '../../src/dag/types';
import { CONFIGMAP_DAGS, renderDagsConfigMap } from '../../scripts/production/dags-configmap';

const dir = join(__dirname, '..', '..', 'deploy', 'k8s');
interface Container { args: string[]; readinessProbe?: { httpGet?: { path: string; port: string } }; resources?: { requests?: Record<string, string> }; ports?: { name: string; containerPort: number }[]; lifecycle?: unknown; volumeMounts?: { name: string; mountPath: string }[] }
interface Doc { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; data?: Record<string, string> }
const load = (file: string): Doc[] => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as Doc);
const find = (file: string, kind: string): Doc => load(file).find((d) => d.kind === kind)!;
const podSpec = (d: Doc) => (d.spec as { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } }).template.spec;
const env = find('config.yaml', 'ConfigMap').data!;

describe('deploy/k8s', () => {
  it('API pods are ready on /readyz, drain before stopping, and request resources', () => {
    const c = podSpec(find('api.yaml', 'Deployment')).containers[0]!;
    expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(c.lifecycle).toBeDefined();
    expect(Object.keys(c.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it('workers get longer to stop than any activity of the default timeout', () => {
    const spec = podSpec(find('worker.yaml', 'Deployment'));
    const args = spec.containers[0]!.args;
    const grace = parseDuration(args[args.indexOf('--shutdown-grace') + 1]!)!;
    expect(grace).toBeGreaterThanOrEqual(BUILTIN_DEFAULTS.startToCloseMs);
    expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(grace);
    expect(Object.keys(spec.containers[0]!.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
    expect(spec.containers[0]!.readinessProbe?.httpGet?.port).toBe('metrics');
  });

  it('mounts the DAGs ConfigMap where WEFT_DAGS_DIR points, in both Deployments', () => {
    for (const file of ['api.yaml', 'worker.yaml']) {
      const mounts = podSpec(find(file, 'Deployment')).containers[0]!.volumeMounts ?? [];
      expect(mounts.find((m) => m.name === 'dags')?.mountPath).toBe(env.WEFT_DAGS_DIR);
    }
  });

  it('has a DAGs ConfigMap generated from the examples, current', () => {
    expect(readFileSync(join(dir, 'dags.yaml'), 'utf8')).toBe(renderDagsConfigMap());
  });

  it('scales workers with KEDA on the task queue and cluster the pods use, both task types', () => {
    const so = find('keda.yaml', 'ScaledObject');
    const spec = so.spec as { scaleTargetRef: { name: string }; minReplicaCount: number; triggers: { type: string; metadata: Record<string, string> }[] };
    expect(spec.scaleTargetRef.name).toBe(find('worker.yaml', 'Deployment').metadata.name);
    expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const t = spec.triggers[0]!;
    expect(t.type).toBe('temporal');
    expect(t.metadata).toMatchObject({ endpoint: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.WEFT_TASK_QUEUE });
    expect(t.metadata.queueTypes!.split(',').sort()).toEqual(['activity', 'workflow']);
    expect(Number(t.metadata.targetQueueSize)).toBeGreaterThan(0);
  });

  describe('a ConfigMap volume as the pod sees it (files are symlinks into ..data)', () => {
    const root = mkdtempSync(join(tmpdir(), 'weft-cm-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('lists every DAG of the ConfigMap', () => {
      const data = find('dags.yaml', 'ConfigMap').data!;
      const real = join(root, '..2026_01_01_00_00_00.1');
      mkdirSync(real);
      for (const [key, text] of Object.entries(data)) {
        writeFileSync(join(real, key), text);
        symlinkSync(join('..data', key), join(root, key));
      }
      symlinkSync('..2026_01_01_00_00_00.1', join(root, '..data'));
      const names = listDefinitions(root).map((r) => r.name).sort();
      expect(names).toEqual([...CONFIGMAP_DAGS].sort());
    });
  });
});

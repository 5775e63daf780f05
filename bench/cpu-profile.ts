/**
 * Reads the .cpuprofile files `node --cpu-prof` wrote (one per thread) and
 * prints where each thread's samples fell: by part (a package, a file of
 * src/, a module of the workflow bundle, GC, idle) and by function, self
 * time. Workflow code runs from one webpack bundle, so a sample's line in the
 * bundle is mapped back to the module it came from by webpack's module
 * markers. Used by bench/worker-cost.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Module start lines of a webpack bundle (`/***\/ "./src/x.ts":` markers), sorted. */
const bundleIndex = new Map<string, Array<{ line: number; module: string }> | undefined>();

/** The folder being summarized: the SDK runs a bundle under a bare file name, which is looked up there. */
let bundleDir = '.';

function modulesOf(url: string): Array<{ line: number; module: string }> | undefined {
  if (bundleIndex.has(url)) return bundleIndex.get(url);
  let path = url;
  if (url.startsWith('file://')) path = fileURLToPath(url);
  else if (!url.includes('/')) path = [join(bundleDir, url), join(bundleDir, '..', url)].find((p) => existsSync(p)) ?? url;
  let index: Array<{ line: number; module: string }> | undefined;
  if (path.endsWith('bundle.js') && existsSync(path)) {
    index = [];
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((l, i) => {
      const m = /^\/\*\*\*\/ "([^"]+)"/.exec(l);
      if (m) index!.push({ line: i, module: m[1]! });
    });
  }
  bundleIndex.set(url, index);
  return index;
}

/** A short name for where a frame's code lives. */
export function partOf(frame: ProfileNode['callFrame']): string {
  const { functionName, url, lineNumber } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = modulesOf(url);
  if (modules && modules.length) {
    let lo = 0;
    let hi = modules.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (modules[mid]!.line <= lineNumber) lo = mid;
      else hi = mid - 1;
    }
    const mod = modules[lo]!.line <= lineNumber ? modules[lo]!.module : '(bundle runtime)';
    return `bundle:${shorten(mod)}`;
  }
  return shorten(url);
}

function shorten(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
    // The SDK's workflow runtime is worth telling apart from the rest of the package.
    const sub = rest.slice(rest[0]!.startsWith('@') ? 2 : 1).join('/');
    return pkg.startsWith('@temporalio/') ? `${pkg}/${sub.replace(/^lib\//, '')}` : pkg;
  }
  const src = path.indexOf('/src/');
  if (src >= 0) return path.slice(src + 1);
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/');
  return path.replace(/^.*\//, '');
}

function top(map: Map<string, number>, n: number, total: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `    ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`);
}

/** Prints, for every profile in `dir`, its busy time by part and by function. */
export function summarize(dir: string, n = 30): void {
  bundleDir = dir;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files.sort()) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
    // Inclusive time under the SDK's per-run module set-up, and under each module's own top-level code
    // (webpack names a module's factory by its path), without the modules it requires.
    const setUp = new Map<string, number>();
    const moduleInit = new Map<string, number>();
    const parts = new Map<string, number>();
    const fns = new Map<string, number>();
    let busy = 0;
    let idle = 0;
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const node = byId.get(id)!;
      const fn = node.callFrame.functionName;
      if (fn === '(idle)') return void (idle += ms);
      busy += ms;
      let innermostModule: string | undefined;
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = byId.get(at)!.callFrame.functionName;
        if (innermostModule === undefined && name.startsWith('./')) innermostModule = name;
        if (/^(importWorkflows|importInterceptors|preloadModules|initRuntime|dispose|activate|concludeActivation|tryUnblockConditions)$/.test(name) && !seen.has(name)) {
          seen.add(name);
          setUp.set(name, (setUp.get(name) ?? 0) + ms);
        }
      }
      if (innermostModule) moduleInit.set(innermostModule, (moduleInit.get(innermostModule) ?? 0) + ms);
      const part = partOf(node.callFrame);
      parts.set(part, (parts.get(part) ?? 0) + ms);
      const name = `${fn || '(anonymous)'} ${part}:${node.callFrame.lineNumber + 1}`;
      fns.set(name, (fns.get(name) ?? 0) + ms);
    });
    console.log(`\n${join(dir, f)}: busy ${busy.toFixed(0)} ms, idle ${idle.toFixed(0)} ms`);
    console.log('  by part (self time):');
    console.log(top(parts, n, busy).join('\n'));
    if (setUp.size) {
      console.log('  under the SDK entry points (inclusive):');
      console.log(top(setUp, n, busy).join('\n'));
      console.log(`  module top-level code, per module without the modules it requires (all modules: ${[...moduleInit.values()].reduce((a, b) => a + b, 0).toFixed(0)} ms):`);
      console.log(top(moduleInit, n, busy).join('\n'));
    }
    console.log('  by function (self time):');
    console.log(top(fns, n, busy).join('\n'));
  }
}

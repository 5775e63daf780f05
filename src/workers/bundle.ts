/**
 * Bundles the workflow code (the `dagRun` interpreter) for the worker's
 * sandbox. `npm run build` writes the bundle once; workers load it instead of
 * running webpack at every start.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** Entry point of Weft's workflow code: `src/workflows` (or its compiled form). */
export function defaultWorkflowsPath(): string {
  // A folder: webpack finds index.ts (sources) or index.js (compiled) in it.
  return join(__dirname, '..', 'workflows');
}

/** Where `npm run build` puts the pre-built bundle. */
export function prebuiltBundlePath(): string {
  return join(__dirname, '..', 'workflow-bundle.js');
}

export function hasPrebuiltBundle(): boolean {
  return existsSync(prebuiltBundlePath());
}

/**
 * Workflow interceptor modules every Weft bundle carries: run events for
 * metrics and logs, and tracing for runs started by a traced client. Workers
 * running such a bundle register the matching sinks (telemetrySinks()).
 */
export function workflowInterceptorModules(): string[] {
  // No extension: webpack finds the .ts source or the compiled .js, like the workflows folder.
  return [join(__dirname, '..', 'telemetry', 'workflow-interceptors')];
}

/** Bundles quietly: webpack's asset report is noise at every worker start. */
export async function buildWorkflowBundle(workflowsPath: string = defaultWorkflowsPath()): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: workflowInterceptorModules(), logger: new DefaultLogger('WARN') });
}

/** Bundles and writes the code atomically, so a reader never sees half a file. */
export async function writeWorkflowBundle(outFile: string, workflowsPath?: string): Promise<string> {
  const { code } = await buildWorkflowBundle(workflowsPath);
  await mkdir(dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  await writeFile(tmp, code);
  await rename(tmp, outFile);
  return outFile;
}

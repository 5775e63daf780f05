/**
 * Turns off the Temporal SDK's per-promise stack capture in the workflow
 * threads a worker starts, without touching the SDK's files.
 *
 * Why: @temporalio/worker 1.24 installs a v8 promise hook in every workflow
 * thread (GlobalHandlers.setPromiseHook in lib/workflow/vm-shared.js) that
 * builds an Error, and so a formatted, source-mapped stack trace, for EVERY
 * promise workflow code creates. It exists only to answer the `__stack_trace`
 * and `__enhanced_stack_trace` queries (the Temporal UI's "Stack trace" tab).
 * Weft's interpreter and JSONata create many promises per node, and a profile
 * put about 65% of the workflow thread in that hook (issue 10); with it, an
 * activation of a few thousand JSONata steps also aborted the thread (see
 * EXPRESSION_LIMITS.maxSteps).
 *
 * How: the SDK offers no option for it, but GlobalHandlers.install() is
 * idempotent and keeps `stopPromiseHook` and `promiseHookInstalled` as public
 * fields. So each workflow thread runs a short preamble before the SDK's own
 * thread module: install() (the SDK's source-mapped Error stacks stay), then
 * stopPromiseHook(), and `promiseHookInstalled = false`, which the SDK passes
 * to the workflow as `stackTracesEnabled`, so the query answers "not enabled"
 * rather than an empty trace. The preamble goes in by substituting the thread
 * the SDK asks `worker_threads.Worker` for, only for the SDK's exact thread
 * module path and only while a Weft worker with traces off is being created.
 *
 * Robustness: the preamble checks the shape it relies on and reports through
 * a shared flag what it did; createWorker() reads it once the SDK has
 * initialised its threads (Worker.create awaits that) and says which state
 * the threads are really in. If an SDK upgrade renames the thread module or
 * changes GlobalHandlers, traces simply stay on, and the worker says so.
 */
import { createRequire } from 'node:module';
import workerThreads from 'node:worker_threads';

/** What the workflow threads of one created worker ended up with. */
export type StackTraceState =
  /** Per-promise stack capture runs (the SDK's default). */
  | 'on'
  /** Turned off in every workflow thread. */
  | 'off'
  /** Asked to turn off, but the SDK did not start its threads the expected way (debugMode, or an SDK change); capture stays on. */
  | 'unchanged';

const sdkRequire = createRequire(require.resolve('@temporalio/worker'));
/** The module the SDK starts each workflow thread with, and the one holding its global hooks. */
const SDK_THREAD_MODULE = sdkRequire.resolve('./workflow/workflow-worker-thread');
const SDK_VM_SHARED = sdkRequire.resolve('./workflow/vm-shared');

/**
 * Runs first in each workflow thread (CommonJS, as `node -e` code is), then
 * hands over to the SDK's thread module. Kept as text: a thread started with
 * `eval` needs no file of its own, so it works the same from sources and dist/.
 */
const PREAMBLE = `
const { workerData } = require('node:worker_threads');
const { vmShared, sdkThread, flag } = workerData.weftStackTraces;
const state = new Int32Array(flag);
try {
  const handlers = require(vmShared).globalHandlers;
  if (handlers && typeof handlers.install === 'function' && typeof handlers.stopPromiseHook === 'function' && typeof handlers.promiseHookInstalled === 'boolean') {
    handlers.install();
    handlers.stopPromiseHook();
    handlers.promiseHookInstalled = false;
    Atomics.add(state, 1, 1);
  } else {
    Atomics.store(state, 2, 1);
  }
} catch (err) {
  Atomics.store(state, 2, 1);
}
require(sdkThread);
`;

type WorkerCtor = typeof workerThreads.Worker;

interface Pending {
  /** [0] unused, [1] threads that turned the hook off, [2] threads that found an unknown SDK shape. */
  flag: SharedArrayBuffer;
  /** Threads the SDK asked for. */
  started: number;
}

let pending: Pending | undefined;
let original: WorkerCtor | undefined;

/** Puts a Worker constructor in front of the real one that swaps in the preamble while `pending` is set. */
function interpose(): void {
  if (original) return;
  const Real = workerThreads.Worker;
  original = Real;
  // A subclass, so `instanceof Worker` and static members stay as they were.
  class WeftThreadWorker extends Real {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      const p = pending;
      if (p && filename === SDK_THREAD_MODULE && options?.workerData === undefined && !options?.eval) {
        p.started++;
        super(PREAMBLE, { ...options, eval: true, workerData: { weftStackTraces: { vmShared: SDK_VM_SHARED, sdkThread: SDK_THREAD_MODULE, flag: p.flag } } });
      } else {
        super(filename, options);
      }
    }
  }
  workerThreads.Worker = WeftThreadWorker;
}

/** Creations run one at a time, so a creation with traces on never gets another's preamble. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Calls `create` (which must call the SDK's Worker.create) with the workflow
 * threads' stack capture on or off, and says what the threads ended up with.
 */
export async function withWorkflowStackTraces<T>(enabled: boolean, create: () => Promise<T>): Promise<{ value: T; state: StackTraceState }> {
  if (enabled) return { value: await create(), state: 'on' };
  const run = async (): Promise<{ value: T; state: StackTraceState }> => {
    interpose();
    const p: Pending = { flag: new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT), started: 0 };
    pending = p;
    let value: T;
    try {
      value = await create();
    } finally {
      pending = undefined;
    }
    // Worker.create has sent `init` to every thread and awaited the answers; the preamble ran before.
    const flags = new Int32Array(p.flag);
    const off = Atomics.load(flags, 1);
    const state: StackTraceState = p.started > 0 && off === p.started && Atomics.load(flags, 2) === 0 ? 'off' : 'unchanged';
    return { value, state };
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Reads what a run left in Temporal: every execution of it (the continue-as-new
 * chain, and the chains of its partition children, found through the
 * parent's history), and for each one its history length, the size of its
 * input payload as stored (after the codec), and how long each of its
 * workflow tasks took (WorkflowTaskStarted → Completed/Failed/TimedOut, from
 * the server's event times). This is how the scale benchmark checks "no
 * workflow task over 2 s": from the histories, not from the worker's view.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export interface ExecutionFacts {
  workflowId: string;
  runId: string;
  events: number;
  /** Bytes of the first event's input payloads, as stored (encoded by the codec). */
  inputBytes: number;
  /** Workflow task durations in ms, in history order. */
  tasks: number[];
  failedTasks: number;
  timedOutTasks: number;
  /** TimerStarted → TimerFired in ms (the interpreter's timers: delays, backoffs, local-call barriers). */
  timers: number[];
  /** First event → last event, in ms. */
  spanMs: number;
}

export interface RunFacts {
  executions: ExecutionFacts[];
  longestTask: { ms: number; workflowId: string; runId: string } | undefined;
  tasks: number;
  tasksOver: (ms: number) => number;
  failedTasks: number;
  timedOutTasks: number;
  biggestHistory: ExecutionFacts | undefined;
}

function ms(t: HistoryEvent['eventTime']): number {
  if (!t) return 0;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

function facts(workflowId: string, runId: string, events: HistoryEvent[]): ExecutionFacts {
  const tasks: number[] = [];
  let started: number | undefined;
  let failedTasks = 0;
  let timedOutTasks = 0;
  const timerStarted = new Map<number, number>();
  const timers: number[] = [];
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) timerStarted.set(Number(e.eventId), ms(e.eventTime));
    const fired = e.timerFiredEventAttributes?.startedEventId;
    if (fired !== undefined && fired !== null && timerStarted.has(Number(fired))) timers.push(ms(e.eventTime) - timerStarted.get(Number(fired))!);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) started = ms(e.eventTime);
    else if (
      started !== undefined &&
      (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED || e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT)
    ) {
      tasks.push(ms(e.eventTime) - started);
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) failedTasks++;
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) timedOutTasks++;
      started = undefined;
    }
  }
  const payloads = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const inputBytes = payloads.reduce((n, p) => n + (p.data?.length ?? 0), 0);
  const spanMs = events.length ? ms(events.at(-1)!.eventTime) - ms(events[0]!.eventTime) : 0;
  return { workflowId, runId, events: events.length, inputBytes, tasks, failedTasks, timedOutTasks, timers, spanMs };
}

/** Every execution of the run `workflowId`, starting at `runId`, and of its children, recursively. */
export async function collectRunFacts(client: Client, workflowId: string, runId: string): Promise<RunFacts> {
  const executions: ExecutionFacts[] = [];
  const queue: Array<{ workflowId: string; runId: string }> = [{ workflowId, runId }];
  while (queue.length > 0) {
    const next = queue.pop()!;
    let current: string | undefined = next.runId;
    while (current) {
      const history: temporal.api.history.v1.IHistory = await client.workflow.getHandle(next.workflowId, current).fetchHistory();
      const events: HistoryEvent[] = history.events ?? [];
      executions.push(facts(next.workflowId, current, events));
      for (const e of events) {
        const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
        if (child?.workflowId && child.runId) queue.push({ workflowId: child.workflowId, runId: child.runId });
      }
      current = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  }
  let longestTask: RunFacts['longestTask'];
  for (const x of executions) for (const t of x.tasks) if (!longestTask || t > longestTask.ms) longestTask = { ms: t, workflowId: x.workflowId, runId: x.runId };
  const all = executions.flatMap((x) => x.tasks);
  return {
    executions,
    longestTask,
    tasks: all.length,
    tasksOver: (limit) => all.filter((t) => t > limit).length,
    failedTasks: executions.reduce((n, x) => n + x.failedTasks, 0),
    timedOutTasks: executions.reduce((n, x) => n + x.timedOutTasks, 0),
    biggestHistory: executions.reduce<ExecutionFacts | undefined>((a, x) => (!a || x.events > a.events ? x : a), undefined),
  };
}

/** The lines a benchmark prints about a run's histories. */
export function describeRunFacts(f: RunFacts, warnings: number): string[] {
  const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const inputs = f.executions.map((x) => x.inputBytes);
  const timers = f.executions.flatMap((x) => x.timers).sort((a, b) => a - b);
  const inTasks = f.executions.reduce((n, x) => n + x.tasks.reduce((a, b) => a + b, 0), 0);
  const span = f.executions.reduce((n, x) => n + x.spanMs, 0);
  return [
    `executions ${f.executions.length} (continue-as-new chains and partition children), workflow tasks ${f.tasks}`,
    `longest workflow task ${f.longestTask ? `${f.longestTask.ms} ms in ${f.longestTask.workflowId} (${f.longestTask.runId})` : '–'}; over 1 s: ${f.tasksOver(1000)}, over 2 s: ${f.tasksOver(2000)}, over 5 s: ${f.tasksOver(5000)}`,
    `task failures ${f.failedTasks}, task timeouts ${f.timedOutTasks}, "Task not found when completing" warnings ${warnings}`,
    `biggest history ${f.biggestHistory ? `${f.biggestHistory.events} events (${f.biggestHistory.workflowId})` : '–'}`,
    `input payloads as stored: largest ${kib(Math.max(...inputs))}, total ${kib(inputs.reduce((a, b) => a + b, 0))}`,
    `time inside workflow tasks ${(inTasks / 1000).toFixed(1)} s of ${(span / 1000).toFixed(1)} s of history (all executions); timers ${timers.length}, started → fired median ${timers.length ? timers[Math.floor(timers.length / 2)] : '–'} ms, max ${timers.at(-1) ?? '–'} ms`,
  ];
}

let taskNotFound = 0;

/**
 * Installs the SDK runtime with warnings forwarded from the native core, and
 * counts its "Task not found when completing" warnings: the worker finished a
 * workflow task the server had already timed out or replaced.
 */
export function installCountingRuntime(): { taskNotFound(): number } {
  const print = (e: LogEntry) => console.error(`[${e.level}] ${e.message}`);
  Runtime.install({
    logger: new DefaultLogger('WARN', (e) => {
      if (e.message.includes('Task not found when completing')) taskNotFound++;
      else print(e);
    }),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
  return { taskNotFound: () => taskNotFound };
}

/**
 * Eager workflow start (WeftClientOptions.eagerStart): what a start reports
 * about it, and the error for a client that cannot start eagerly.
 */
import type { StartedRun } from './run-types';

/** A start, with whether its first workflow task went straight to a worker of this process. */
export interface StartedRunDetails extends StartedRun {
  /** True when the server returned the first workflow task with the start (eager start); false for an existing run. */
  eagerlyStarted: boolean;
}

export class EagerStartUnsupportedError extends Error {
  override readonly name = 'EagerStartUnsupportedError';
  constructor(readonly connectionType: string) {
    super(`WeftClient option eagerStart needs a client built on a worker's NativeConnection (createWeftClient({ connection })), got a ${connectionType}; drop eagerStart or share the worker's connection`);
  }
}

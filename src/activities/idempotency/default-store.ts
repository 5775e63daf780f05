/**
 * The store `once()` uses when none is passed. The worker sets it at startup.
 * It lives on globalThis, so a user module that loads its own copy of Weft
 * (from a different path, or compiled next to the TypeScript source) still
 * sees the worker's store.
 */
import type { IdempotencyStore } from './store';

const SLOT = Symbol.for('weft.idempotency.defaultStore');
type Slot = { [SLOT]?: IdempotencyStore };

/** Sets (or with `undefined`, clears) the process-wide default store. Returns the previous one. */
export function setDefaultIdempotencyStore(store: IdempotencyStore | undefined): IdempotencyStore | undefined {
  const slot = globalThis as Slot;
  const previous = slot[SLOT];
  if (store) slot[SLOT] = store;
  else delete slot[SLOT];
  return previous;
}

export function getDefaultIdempotencyStore(): IdempotencyStore | undefined {
  return (globalThis as Slot)[SLOT];
}

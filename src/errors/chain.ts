/** How deep to follow `cause`; real chains are 2–3 long, and a cycle must not hang the caller. */
const MAX_CAUSE_DEPTH = 8;

/** `err`, then its cause, then the cause's cause, and so on (bounded). */
export function* causeChain(err: unknown): Generator<unknown> {
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < MAX_CAUSE_DEPTH; depth++) {
    yield e;
    if (!(e instanceof Error)) return;
    e = e.cause;
  }
}

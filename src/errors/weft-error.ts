/**
 * The base class of Weft's own errors. Each subclass says which kind of
 * failure it is once, in its declaration, so no caller has to guess from the
 * class name or the message. Subclasses keep their context in typed, readonly
 * fields (the run id, the DAG name, the path of a problem).
 */
import type { ErrorKind } from './kinds';

export abstract class WeftError extends Error {
  /** Which kind of failure this is; see ERROR_KINDS. */
  abstract readonly kind: ErrorKind;
}

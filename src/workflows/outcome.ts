/** How one node ended, as the runner records it. */
import type { NodeError } from './messages';

export type Outcome = { state: 'succeeded'; output: unknown; attempts?: number; ignoredError?: NodeError } | { state: 'failed'; error: NodeError; attempts?: number } | { state: 'skipped'; reason: string } | { state: 'cancelled'; reason: string };

export class NodeFailed extends Error {
  constructor(
    readonly error: NodeError,
    readonly attempts?: number,
  ) {
    super(error.message);
  }
}

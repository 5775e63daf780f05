/**
 * Custom search attributes every Weft run carries. The dev server registers
 * them at start; a production cluster needs them registered once
 * (`temporal operator search-attribute create`), as the README says.
 */
export const WEFT_SEARCH_ATTRIBUTES = {
  /** Name of the DAG the run executes. */
  WeftDag: 'Keyword',
  /** Weft's own view of the run: running, succeeded, failed, cancelled. */
  WeftStatus: 'Keyword',
} as const;

export type WeftSearchAttributeName = keyof typeof WEFT_SEARCH_ATTRIBUTES;

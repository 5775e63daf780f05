/**
 * Names every part of Weft shares with Temporal: the workflow types and the
 * custom search attributes. Defined once here. This file imports nothing from
 * Node, so workflow code may use it too.
 *
 * The dev server registers the search attributes at start; a production
 * cluster needs them registered once (`temporal operator search-attribute
 * create`), as the production docs say.
 */
import { defineSearchAttributeKey } from '@temporalio/common';

/** Workflow types Weft registers on its workers. */
export const WORKFLOW_TYPES = {
  /** The generic DAG interpreter. */
  dagRun: 'dagRun',
  /** One FIFO queue per key (`weft queue add`). */
  fifoQueue: 'fifoQueue',
  /** The already-failed record of a job that failed for good (src/workflows/jobs/record.ts), listed with the runs. */
  jobFailed: 'jobFailed',
} as const;

/** Custom search attributes, by name, with the type the server registers. */
export const WEFT_SEARCH_ATTRIBUTES = {
  /** Name of the DAG the run executes. */
  WeftDag: 'Keyword',
  /** Weft's own view of the run: running, succeeded, failed, cancelled. */
  WeftStatus: 'Keyword',
} as const;

/** Typed keys of the same attributes, for start options and upserts. */
export const SEARCH_ATTRIBUTE_KEYS = {
  dag: defineSearchAttributeKey('WeftDag', 'KEYWORD'),
  status: defineSearchAttributeKey('WeftStatus', 'KEYWORD'),
} as const;

/**
 * Patch id of chained waves: a shard's waves follow each other in one workflow
 * task, up to `jobsPerTask` jobs, instead of each wave ending with a 1 ms timer
 * (whose firing, on a loaded dev server, came ~0.9 s later). Histories recorded
 * before it have a timer after every wave and replay with one.
 */
export const WAVES_PATCH = 'weft-jobs-waves';

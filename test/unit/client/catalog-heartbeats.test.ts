/**
 * A catalog given declared heartbeats compiles its DAGs with them, and the
 * compiled files it keeps between listings are kept apart per map: the same
 * unchanged file listed with and without one compiles differently.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DagCatalog } from '../../../src/client/catalog';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'weft-catalog-hb-'));
  const file = join(dir, 'encode.yaml');
  writeFileSync(file, 'name: encode\nnodes:\n  - id: encode\n    activity: media.transcode\n');
  // Old enough for its compiled form to be cached (files modified within 2 s are always compiled again).
  const t = new Date(Date.now() - 60_000);
  utimesSync(file, t, t);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (catalog: DagCatalog): string | undefined => catalog.get('encode').nodes[0]!.call?.mode;

describe('DagCatalog with declared heartbeats', () => {
  it('compiles a node calling a declaring activity remote, and keeps each map apart in its cache', () => {
    expect(modeOf(new DagCatalog(dir))).toBe('local');
    const declared = new DagCatalog(dir, undefined, { 'media.transcode': 30_000 });
    expect(modeOf(declared)).toBe('remote');
    expect(declared.get('encode').nodes[0]!.call?.timeouts.heartbeatMs).toBe(30_000);
    expect(new DagCatalog(dir, undefined, { 'media.transcode': 45_000 }).get('encode').nodes[0]!.call?.timeouts.heartbeatMs).toBe(45_000);
    expect(modeOf(new DagCatalog(dir))).toBe('local');
  });
});

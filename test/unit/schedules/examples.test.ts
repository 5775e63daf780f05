/** examples/schedules.yaml stays valid against the example DAGs. */
import { describe, expect, it } from 'vitest';
import { DagCatalog } from '../../../src/client';
import { loadSchedulesFile } from '../../../src/client/schedules';

describe('examples/schedules.yaml', () => {
  it('is valid, and names DAGs that exist in examples/', () => {
    const { file, dags } = loadSchedulesFile('examples/schedules.yaml', { dags: new DagCatalog('examples') });
    expect(file.group).toBe('examples');
    expect(file.schedules.map((s) => [s.id, s.dag, s.paused])).toEqual([
      ['nightly-report', 'nightly-report', false],
      ['image-pipeline-sweep', 'image-pipeline', true],
    ]);
    expect([...dags.keys()].sort()).toEqual(['image-pipeline', 'nightly-report']);
  });
});

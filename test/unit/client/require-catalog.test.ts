/** Looking a DAG up by name without a DAGs folder: one behaviour for the client, the API and the outbox relay. */
import { describe, expect, it } from 'vitest';
import { DagCatalog, DagNotFoundError, requireCatalog } from '../../../src/client/catalog';

describe('requireCatalog', () => {
  it('without a DAGs folder, a name is not found, and the error says no folder is configured', () => {
    expect(() => requireCatalog(undefined, 'nightly')).toThrow(DagNotFoundError);
    expect(() => requireCatalog(undefined, 'nightly')).toThrow('no DAG named "nightly" in (no DAGs folder configured)');
  });

  it('with a DAGs folder, returns that catalog to look the name up in', () => {
    const catalog = new DagCatalog('examples');
    expect(requireCatalog(catalog, 'nightly')).toBe(catalog);
  });
});

/** The filesystem blob store. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, FileBlobStore, openBlobStore } from '../../../src/payloads';
import { rejectionOf } from './support';

const root = mkdtempSync(join(tmpdir(), 'weft-blobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): FileBlobStore => new FileBlobStore(join(root, `store-${n++}`));

describe('FileBlobStore', () => {
  it('returns the bytes it stored, by the reference put returned', async () => {
    const store = fresh();
    const ref = await store.put('sha256/ab/abc', Buffer.from('hello'));
    expect(ref).toEqual({ store: 'file', key: 'sha256/ab/abc' });
    expect(Buffer.from(await store.get(ref)).toString()).toBe('hello');
  });

  it('keeps each key as a file at that relative path, with no temporary files left', async () => {
    const store = fresh();
    await store.put('a/b/c', Buffer.from('x'));
    expect(readdirSync(join(store.dir, 'a', 'b'))).toEqual(['c']);
  });

  it('replaces the bytes when the same key is put again', async () => {
    const store = fresh();
    await store.put('k', Buffer.from('one'));
    const ref = await store.put('k', Buffer.from('two'));
    expect(Buffer.from(await store.get(ref)).toString()).toBe('two');
  });

  it('throws BlobNotFoundError for a missing key, saying a file store is local to one host', async () => {
    const store = fresh();
    const err = await rejectionOf(store.get({ store: 'file', key: 'missing' }));
    expect(err).toBeInstanceOf(BlobNotFoundError);
    expect((err as Error).message).toContain('WEFT_BLOB_STORE_URL=s3://');
  });

  it('deletes a blob, and deleting a missing one is not an error', async () => {
    const store = fresh();
    const ref = await store.put('k', Buffer.from('x'));
    await store.delete(ref);
    await store.delete(ref);
    expect(await rejectionOf(store.get(ref))).toBeInstanceOf(BlobNotFoundError);
  });
});

describe('openBlobStore', () => {
  it('defaults to files under <dataDir>/blobs', () => {
    const store = openBlobStore(undefined, { dataDir: join(root, 'data') });
    expect(store).toBeInstanceOf(FileBlobStore);
    expect((store as FileBlobStore).dir).toBe(join(root, 'data', 'blobs'));
  });

  it('opens file:///abs and file:dir URLs', () => {
    expect((openBlobStore(`file://${root}/x`, { dataDir: '.' }) as FileBlobStore).dir).toBe(join(root, 'x'));
    expect((openBlobStore(`file:${root}/y`, { dataDir: '.' }) as FileBlobStore).dir).toBe(join(root, 'y'));
  });
});

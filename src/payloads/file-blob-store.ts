/**
 * Blobs as files under a directory (by default `<dataDir>/blobs`). Writes go
 * to a temporary file and are renamed into place, so a reader never sees a
 * partial blob. Only processes that share the directory can read the blobs.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { checkBlobKey, type BlobRef, type BlobStore } from './blob-store';
import { BlobNotFoundError } from './errors';

export const FILE_STORE_ID = 'file';

export class FileBlobStore implements BlobStore {
  readonly id = FILE_STORE_ID;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get description(): string {
    return `file:${this.dir}`;
  }

  /** Absolute path of the file holding `key`. */
  pathOf(key: string): string {
    return join(this.dir, ...checkBlobKey(key).split('/'));
  }

  async put(key: string, bytes: Uint8Array): Promise<BlobRef> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { store: this.id, key };
  }

  async get(ref: BlobRef): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(ref.key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new BlobNotFoundError(
          this.description,
          ref.key,
          'A file blob store is local to one host: workers on other hosts need a shared store (WEFT_BLOB_STORE_URL=s3://…)',
        );
      }
      throw err;
    }
  }

  async delete(ref: BlobRef): Promise<void> {
    await rm(this.pathOf(ref.key), { force: true });
  }
}

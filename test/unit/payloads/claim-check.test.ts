/** The claim check: what is offloaded, what stays inline, and how references come back. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput } from '@temporalio/worker';
import {
  BlobIntegrityError,
  BlobStoreMismatchError,
  claimCheckInterceptor,
  FileBlobStore,
  isWeftRef,
  offload,
  PayloadDecodeError,
  restore,
  restoreDeep,
  WeftCodec,
  type BlobRef,
  type WeftRef,
} from '../../../src/payloads';
import { newKey, rejectionOf } from './support';

const root = mkdtempSync(join(tmpdir(), 'weft-claim-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A file store that counts its reads and writes. */
class CountingStore extends FileBlobStore {
  puts: string[] = [];
  gets: string[] = [];
  constructor() {
    super(join(root, `store-${n++}`));
  }
  override async put(key: string, bytes: Uint8Array): Promise<BlobRef> {
    this.puts.push(key);
    return super.put(key, bytes);
  }
  override async get(ref: BlobRef): Promise<Uint8Array> {
    this.gets.push(ref.key);
    return super.get(ref);
  }
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const big = (bytes = 4096): string => randomBytes(bytes * 0.75).toString('base64');
const T = 1024;

describe('offload', () => {
  it('returns a value at or below the threshold as it is, storing nothing', async () => {
    const store = new CountingStore();
    const value = { a: 'x'.repeat(100) };
    expect(await offload(value, { store, thresholdBytes: T })).toBe(value);
    expect(store.puts).toEqual([]);
  });

  it('replaces a large value with a reference holding its store, key, size and sha256', async () => {
    const store = new CountingStore();
    const value = big();
    const ref = (await offload(value, { store, thresholdBytes: T })) as WeftRef;
    const json = JSON.stringify(value);
    expect(ref).toEqual({ __weftRef: { store: 'file', key: `sha256/${sha256(json).slice(0, 2)}/${sha256(json)}`, size: json.length, sha256: sha256(json) } });
    expect(readFileSync(store.pathOf(ref.__weftRef.key), 'utf8')).toBe(json);
  });

  it('is content-addressed: the same value offloaded twice (a retry) has one key', async () => {
    const store = new CountingStore();
    const value = big();
    const first = await offload(value, { store, thresholdBytes: T });
    const second = await offload(value, { store, thresholdBytes: T });
    expect(second).toEqual(first);
    expect(new Set(store.puts).size).toBe(1);
  });

  it('uses a key function of the digest when one is given', async () => {
    const store = new CountingStore();
    const ref = (await offload(big(), { store, thresholdBytes: T, key: (d) => `runs/${d}` })) as WeftRef;
    expect(ref.__weftRef.key).toMatch(/^runs\/[0-9a-f]{64}$/);
  });

  it('keeps the small fields of an object inline and offloads its large field', async () => {
    const store = new CountingStore();
    const out = (await offload({ status: 200, headers: { 'content-type': 'text/csv' }, body: big() }, { store, thresholdBytes: T })) as Record<string, unknown>;
    expect(out.status).toBe(200);
    expect(out.headers).toEqual({ 'content-type': 'text/csv' });
    expect(isWeftRef(out.body)).toBe(true);
  });

  it('offloads a large list whole, never item by item', async () => {
    const store = new CountingStore();
    const out = await offload([big(600), big(600), 'small'], { store, thresholdBytes: T });
    expect(isWeftRef(out)).toBe(true);
  });

  it('offloads an object whole when it is large only through many small fields', async () => {
    const store = new CountingStore();
    const value = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'x'.repeat(50)]));
    expect(isWeftRef(await offload(value, { store, thresholdBytes: T }))).toBe(true);
  });
});

describe('restore', () => {
  it('returns exactly the value that was offloaded, whole or field by field', async () => {
    const store = new CountingStore();
    const value = { list: [1, 'two', null, { three: true }], text: big() };
    expect(await restore(await offload(value, { store, thresholdBytes: T }), store)).toEqual(value);
  });

  it('returns a value that is not a reference as it is', async () => {
    const value = { a: 1 };
    expect(await restore(value, new CountingStore())).toBe(value);
  });

  it('fails with BlobIntegrityError when the blob does not match its sha256', async () => {
    const store = new CountingStore();
    const ref = (await offload(big(), { store, thresholdBytes: T })) as WeftRef;
    writeFileSync(store.pathOf(ref.__weftRef.key), JSON.stringify(big()));
    expect(await rejectionOf(restore(ref, store))).toBeInstanceOf(BlobIntegrityError);
  });

  it('fails with BlobStoreMismatchError when the reference names another store', async () => {
    const ref: WeftRef = { __weftRef: { store: 's3://bucket', key: 'k', size: 1, sha256: sha256('1') } };
    const err = await rejectionOf(restore(ref, new CountingStore()));
    expect(err).toBeInstanceOf(BlobStoreMismatchError);
    expect((err as Error).message).toContain('WEFT_BLOB_STORE_URL');
  });
});

describe('restoreDeep', () => {
  it('replaces references at any depth with their values', async () => {
    const store = new CountingStore();
    const a = big();
    const b = { rows: [big()] };
    const refA = await offload(a, { store, thresholdBytes: T });
    const refB = await offload(b, { store, thresholdBytes: T });
    expect(await restoreDeep([{ x: refA, nested: { list: [refB, 1] } }, 'plain'], store)).toEqual([{ x: a, nested: { list: [b, 1] } }, 'plain']);
  });

  it('reads a blob once however many times it is referenced', async () => {
    const store = new CountingStore();
    const ref = await offload(big(), { store, thresholdBytes: T });
    await restoreDeep({ one: ref, two: ref, three: [ref] }, store);
    expect(store.gets).toHaveLength(1);
  });

  it('restores an object whose fields were offloaded inside a blob of its own', async () => {
    const store = new CountingStore();
    const value = { big: big(), ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'x'.repeat(40)])) };
    const out = await offload(value, { store, thresholdBytes: T });
    expect(isWeftRef(out)).toBe(true);
    expect(await restoreDeep(out, store)).toEqual(value);
  });
});

describe('blobs written with a codec', () => {
  it('are encrypted at rest and restored with the same codec', async () => {
    const store = new CountingStore();
    const codec = new WeftCodec({ encryptionKey: newKey() });
    const value = `card 4242 ${big()}`;
    const ref = (await offload(value, { store, thresholdBytes: T, codec })) as WeftRef;
    expect(readFileSync(store.pathOf(ref.__weftRef.key)).includes('card 4242')).toBe(false);
    expect(await restore(ref, store, { codec })).toEqual(value);
  });

  it('cannot be restored without the codec, and the error says which setting is missing', async () => {
    const store = new CountingStore();
    const ref = await offload(big(), { store, thresholdBytes: T, codec: new WeftCodec({ encryptionKey: newKey() }) });
    const err = await rejectionOf(restore(ref, store));
    expect(err).toBeInstanceOf(PayloadDecodeError);
    expect((err as Error).message).toContain('WEFT_CODEC_KEY');
  });
});

describe('claimCheckInterceptor', () => {
  const ctx = {} as Context;
  const input = (args: unknown[]): ActivityExecuteInput => ({ args, headers: {} });

  it('hands the handler its input with references restored', async () => {
    const store = new CountingStore();
    const data = big();
    const ref = await offload(data, { store, thresholdBytes: T });
    let seen: unknown;
    await claimCheckInterceptor({ store, thresholdBytes: T })(ctx).inbound!.execute!(input([{ data: ref }]), async (i) => {
      seen = i.args;
      return null;
    });
    expect(seen).toEqual([{ data }]);
  });

  it('offloads a large result and returns the reference', async () => {
    const store = new CountingStore();
    const data = big();
    const result = await claimCheckInterceptor({ store, thresholdBytes: T })(ctx).inbound!.execute!(input([]), async () => data);
    expect(isWeftRef(result)).toBe(true);
    expect(await restore(result, store)).toBe(data);
  });

  it('returns a small result as it is', async () => {
    const result = await claimCheckInterceptor({ store: new CountingStore(), thresholdBytes: T })(ctx).inbound!.execute!(input([]), async () => ({ ok: true }));
    expect(result).toEqual({ ok: true });
  });
});

/**
 * Claim check: large activity outputs go to a BlobStore and only a small
 * reference, `{ __weftRef: { store, key, size, sha256 } }`, travels through
 * the workflow and its history. The workflow never needs the bytes: the next
 * activity's inbound interceptor swaps references in its input for the data
 * before the handler runs.
 *
 * An object output over the threshold keeps its small fields inline and
 * offloads its largest fields first, so expressions such as
 * `nodes.fetch.output.status` still see real values; an expression that reads
 * into an offloaded part sees the reference instead.
 *
 * Blobs are content-addressed (the sha256 of their JSON), so a retry that
 * produces the same output writes the same key and duplicates nothing.
 */
import { createHash } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { BlobStore } from './blob-store';
import { BlobIntegrityError, BlobStoreMismatchError, PayloadDecodeError, PAYLOAD_DECODE_ERRORS, PayloadOptionError } from './errors';
import { frame, isFrame, unframe } from './frame';

export type { BlobRef, BlobStore } from './blob-store';

export interface WeftRef {
  __weftRef: {
    /** Id of the store that holds the blob (`file`, `s3://bucket/prefix`). */
    store: string;
    key: string;
    /** Bytes of the value's JSON. */
    size: number;
    /** Hex sha256 of the value's JSON. */
    sha256: string;
  };
}

export interface OffloadOptions {
  store: BlobStore;
  /**
   * Values whose JSON is larger than this many bytes are offloaded.
   * @defaultValue 262144 (256 KiB)
   */
  thresholdBytes?: number;
  /**
   * Maps a value's sha256 (hex) to its key in the store. Keep it a function
   * of the digest alone, or retries will store duplicates.
   * @defaultValue `sha256/<first two hex digits>/<digest>`
   */
  key?: (sha256: string) => string;
  /**
   * Codec to encode blobs with (compression, encryption), normally the
   * workers' WeftCodec, so offloaded data is protected like history is.
   * @defaultValue none: blobs are plain JSON
   */
  codec?: PayloadCodec;
}

export interface RestoreOptions {
  /** Needed to read blobs that were written with a codec. */
  codec?: PayloadCodec;
}

export const DEFAULT_CLAIM_CHECK_THRESHOLD = 256 * 1024;
/** Fields smaller than this stay inline: a reference is about 200 bytes. */
const MIN_OFFLOADED_FIELD = 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export const defaultBlobKey = (sha256: string): string => `sha256/${sha256.slice(0, 2)}/${sha256}`;

export function isWeftRef(value: unknown): value is WeftRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== '__weftRef') return false;
  const r = (value as WeftRef).__weftRef as Partial<WeftRef['__weftRef']> | null;
  return (
    typeof r === 'object' && r !== null && typeof r.store === 'string' && typeof r.key === 'string' && typeof r.size === 'number' && typeof r.sha256 === 'string' && SHA256_HEX.test(r.sha256)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function toJson(value: unknown): Buffer {
  // Same rule as Temporal's JSON converter: undefined becomes null.
  return Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
}

function jsonSize(value: unknown): number {
  return toJson(value).length;
}

const JSON_PLAIN: Payload['metadata'] = { encoding: Buffer.from('json/plain') };

async function putBlob(value: unknown, opts: OffloadOptions): Promise<WeftRef> {
  const json = toJson(value);
  const sha256 = createHash('sha256').update(json).digest('hex');
  let bytes: Uint8Array = json;
  if (opts.codec) {
    const [encoded] = await opts.codec.encode([{ metadata: JSON_PLAIN, data: json }]);
    bytes = frame(encoded!);
  }
  const ref = await opts.store.put((opts.key ?? defaultBlobKey)(sha256), bytes);
  return { __weftRef: { store: ref.store, key: ref.key, size: json.length, sha256 } };
}

function checkThreshold(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new PayloadOptionError('thresholdBytes', `expected an integer >= 0, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

async function shrink(value: unknown, size: number, threshold: number, opts: OffloadOptions): Promise<unknown> {
  // Only plain objects are split: a partly offloaded list would confuse $count, $sum and map.
  if (!isPlainObject(value)) return putBlob(value, opts);
  const out: Record<string, unknown> = { ...value };
  const fields = Object.entries(value)
    .map(([k, v]) => ({ k, v, size: jsonSize(v) }))
    .sort((a, b) => b.size - a.size);
  let current = size;
  for (const f of fields) {
    if (current <= threshold || f.size < MIN_OFFLOADED_FIELD) break;
    const replaced = f.size > threshold ? await shrink(f.v, f.size, threshold, opts) : await putBlob(f.v, opts);
    out[f.k] = replaced;
    current += jsonSize(replaced) - f.size;
  }
  return current <= threshold ? out : putBlob(out, opts);
}

/**
 * Returns `value` when its JSON is at most `thresholdBytes`; otherwise stores
 * it (or its largest fields) in the blob store and returns a reference (or the
 * object with references in place of those fields).
 */
export async function offload(value: unknown, opts: OffloadOptions): Promise<unknown> {
  const threshold = checkThreshold(opts.thresholdBytes ?? DEFAULT_CLAIM_CHECK_THRESHOLD);
  const size = jsonSize(value);
  return size <= threshold ? value : shrink(value, size, threshold, opts);
}

async function readBlob(ref: WeftRef, store: BlobStore, opts: RestoreOptions): Promise<unknown> {
  const r = ref.__weftRef;
  if (r.store !== store.id) throw new BlobStoreMismatchError(r.store, store.id, r.key);
  const bytes = await store.get({ store: r.store, key: r.key });
  let json: Uint8Array = bytes;
  // Blobs written with a codec are framed payloads; the others are plain JSON.
  if (isFrame(bytes)) {
    let payload = unframe(bytes);
    if (opts.codec) [payload] = (await opts.codec.decode([payload])) as [Payload];
    const encoding = Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString();
    if (encoding !== 'json/plain') {
      throw new PayloadDecodeError(
        PAYLOAD_DECODE_ERRORS.noKey,
        encoding,
        `Blob "${r.key}" is encoded as ${encoding}; this process needs the same codec settings as the worker that wrote it (WEFT_CODEC_KEY)`,
      );
    }
    json = payload.data ?? new Uint8Array();
  }
  const sha256 = createHash('sha256').update(json).digest('hex');
  if (sha256 !== r.sha256 || json.length !== r.size) {
    throw new BlobIntegrityError(store.id, r.key, { size: r.size, sha256: r.sha256 }, { size: json.length, sha256 });
  }
  return JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8')) as unknown;
}

type Cache = Map<string, Promise<unknown>>;

async function restoreIn(value: unknown, store: BlobStore, opts: RestoreOptions, cache: Cache): Promise<unknown> {
  if (isWeftRef(value)) {
    const id = `${value.__weftRef.store}\0${value.__weftRef.key}`;
    let pending = cache.get(id);
    if (!pending) {
      // A blob may itself hold references (an object whose fields were offloaded first).
      pending = readBlob(value, store, opts).then((v) => restoreIn(v, store, opts, cache));
      cache.set(id, pending);
    }
    return pending;
  }
  // Containers without references come back as the same object, not a copy.
  if (Array.isArray(value)) {
    const items = await Promise.all(value.map((v) => restoreIn(v, store, opts, cache)));
    return items.every((v, i) => v === value[i]) ? value : items;
  }
  if (isPlainObject(value)) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await restoreIn(v, store, opts, cache)] as const));
    return entries.every(([k, v]) => v === value[k]) ? value : Object.fromEntries(entries);
  }
  return value;
}

/**
 * The inverse of offload: the value a reference stands for, or the object
 * with its offloaded fields put back. A value with no reference in it is
 * returned as it is.
 */
export async function restore(valueOrRef: unknown, store: BlobStore, opts: RestoreOptions = {}): Promise<unknown> {
  return restoreIn(valueOrRef, store, opts, new Map());
}

/** `input` with every reference in it, at any depth, replaced by its value. Each blob is read once. */
export async function restoreDeep(input: unknown, store: BlobStore, opts: RestoreOptions = {}): Promise<unknown> {
  return restoreIn(input, store, opts, new Map());
}

export type ClaimCheckOptions = OffloadOptions;

/**
 * Activity interceptor: restores references in the activity's arguments
 * before the handler runs, and offloads its result. Put it after (inside)
 * weftActivityInterceptor so the envelope carries the reference:
 * `activity: [weftActivityInterceptor, claimCheckInterceptor(opts)]`.
 */
export function claimCheckInterceptor(opts: ClaimCheckOptions): ActivityInterceptorsFactory {
  checkThreshold(opts.thresholdBytes ?? DEFAULT_CLAIM_CHECK_THRESHOLD);
  return () => ({
    inbound: {
      async execute(input, next): Promise<unknown> {
        const args = (await restoreDeep(input.args, opts.store, opts)) as unknown[];
        return offload(await next({ ...input, args }), opts);
      },
    },
  });
}

/**
 * Encryption keys of the codec: parsing (hex or base64, with an optional
 * `id:` prefix), key ids, and the keyring that decode looks keys up in.
 */
import { createHash } from 'node:crypto';
import { PayloadOptionError } from './errors';

/** A 256-bit key: 64 hex characters, base64 (standard or URL-safe), or raw bytes. */
export type KeyMaterial = string | Uint8Array;

export interface NamedKey {
  id: string;
  key: Buffer;
}

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function describe(value: string): string {
  return value.length > 12 ? `${value.length} characters` : `"${value}"`;
}

/** Decodes one key, or says exactly why it is not a 32-byte key. */
export function parseKey(value: KeyMaterial, option: string): Buffer {
  if (typeof value !== 'string') {
    if (!(value instanceof Uint8Array)) throw new PayloadOptionError(option, `expected a string or bytes, got ${typeof value}`);
    if (value.length !== KEY_BYTES) throw new PayloadOptionError(option, `expected ${KEY_BYTES} bytes for AES-256, got ${value.length} bytes`);
    return Buffer.from(value);
  }
  const text = value.trim();
  if (text === '') throw new PayloadOptionError(option, `expected a ${KEY_BYTES}-byte key as 64 hex characters or base64, got an empty string`);
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  if (/^[0-9a-fA-F]+$/.test(text) && text.length !== 44) {
    throw new PayloadOptionError(option, `expected 64 hex characters (${KEY_BYTES} bytes), got ${text.length} hex characters`);
  }
  if (!BASE64.test(text)) {
    throw new PayloadOptionError(option, `expected a ${KEY_BYTES}-byte key as 64 hex characters or base64, got ${describe(text)} that are neither`);
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new PayloadOptionError(
      option,
      `expected ${KEY_BYTES} bytes for AES-256, got base64 that decodes to ${bytes.length} bytes (generate one with: openssl rand -base64 32)`,
    );
  }
  return bytes;
}

/** The default key id: a fingerprint of the key, so rotating needs no naming scheme. */
export function keyFingerprint(key: Uint8Array): string {
  return createHash('sha256').update('weft-codec-key-id\0').update(key).digest('hex').slice(0, 16);
}

export function checkKeyId(id: string, option: string): string {
  if (!KEY_ID.test(id)) throw new PayloadOptionError(option, `key id "${id}" must be 1–64 characters of letters, digits, '.', '_' or '-'`);
  return id;
}

/**
 * Parses `key` or `id:key`, the form used in environment variables and
 * config files. Without an id, the key's fingerprint is its id.
 */
export function parseKeySpec(spec: string, option: string): NamedKey {
  const colon = spec.lastIndexOf(':');
  if (colon === -1) {
    const key = parseKey(spec, option);
    return { id: keyFingerprint(key), key };
  }
  const id = checkKeyId(spec.slice(0, colon).trim(), option);
  return { id, key: parseKey(spec.slice(colon + 1), option) };
}

/** Keys by id: the one encode uses, and every one decode may meet. */
export class Keyring {
  private readonly byId = new Map<string, Buffer>();

  constructor(
    readonly current: NamedKey | undefined,
    others: readonly NamedKey[] = [],
  ) {
    for (const k of [...others, ...(current ? [current] : [])]) {
      const existing = this.byId.get(k.id);
      if (existing && !existing.equals(k.key)) {
        throw new PayloadOptionError('decryptionKeys', `key id "${k.id}" is given twice with different keys`);
      }
      this.byId.set(k.id, k.key);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Buffer | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}

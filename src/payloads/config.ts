/**
 * The `payloads` section of Weft's configuration: src/config/schema.ts mounts
 * `payloadsConfigSchema`, and src/config/load.ts spreads `PAYLOAD_ENV_VARS`
 * into its table of environment variables. support.ts builds the parts from it.
 */
import { z } from 'zod';
import type { WeftCodecOptions } from './codec';
import { DEFAULT_CLAIM_CHECK_THRESHOLD } from './claim-check';
import { PayloadOptionError } from './errors';
import { parseKeySpec } from './keys';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 * 1024, mb: 1_000_000, mib: 1024 * 1024 };

/** A byte size (`4096`, `4KiB`, `1MiB`) or `off`. */
const sizeOrOff = z.union([z.literal('off'), z.literal(false), z.number().int().min(0), z.string()]).transform((value, ctx): number | false => {
  if (value === 'off' || value === false) return false;
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a byte size such as 4096, 4KiB or 1MiB, or "off"; got "${value}"` });
    return z.NEVER;
  }
  return Number(m[1]) * unit;
});

const keySpec = z.string().superRefine((spec, ctx) => {
  try {
    parseKeySpec(spec, 'key');
  } catch (err) {
    if (!(err instanceof PayloadOptionError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.reason });
  }
});

export const payloadsConfigSchema = z
  .object({
    codec: z
      .object({
        /** AES-256-GCM key as `[id:]key` (64 hex characters or base64); unset means no encryption. */
        key: keySpec.optional(),
        /** Earlier keys decode may need after a rotation, each `[id:]key`. @defaultValue [] */
        decryptKeys: z.array(keySpec).default([]),
        /** Gzip payloads larger than this; `off` disables compression. @defaultValue 4KiB */
        compressAbove: sizeOrOff.default(4096),
      })
      .strict()
      .prefault({}),
    claimCheck: z
      .object({
        /** Activity outputs whose JSON is larger than this go to the blob store; `off` disables it. @defaultValue 256KiB */
        above: sizeOrOff.default(DEFAULT_CLAIM_CHECK_THRESHOLD),
        /** `file:<dir>` or `s3://bucket/prefix?region=…&endpoint=…`. @defaultValue file under `<dataDir>/blobs` */
        store: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    codecServer: z
      .object({
        /** Port of the codec endpoint `weft dev` runs for the Temporal UI. @defaultValue UI port + 1 (8234) */
        port: z.coerce.number().int().min(0).max(65535).optional(),
        /** Bearer tokens the codec endpoint accepts; none means no auth (loopback only). @defaultValue [] */
        tokens: z.array(z.string().min(16, 'codec tokens must be at least 16 characters')).default([]),
        /** Browser origins allowed to call it. @defaultValue the Temporal UI's address */
        origins: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type PayloadsConfig = z.infer<typeof payloadsConfigSchema>;

/** Environment variable → config path, in the form of ENV_VARS in src/config/load.ts. */
export const PAYLOAD_ENV_VARS: Readonly<Record<string, { path: string; list?: boolean }>> = {
  WEFT_CODEC_KEY: { path: 'payloads.codec.key' },
  WEFT_CODEC_DECRYPT_KEYS: { path: 'payloads.codec.decryptKeys', list: true },
  WEFT_CODEC_COMPRESS_ABOVE: { path: 'payloads.codec.compressAbove' },
  WEFT_CLAIM_CHECK_ABOVE: { path: 'payloads.claimCheck.above' },
  WEFT_BLOB_STORE_URL: { path: 'payloads.claimCheck.store' },
  WEFT_CODEC_PORT: { path: 'payloads.codecServer.port' },
  WEFT_CODEC_TOKEN: { path: 'payloads.codecServer.tokens', list: true },
  WEFT_CODEC_ORIGINS: { path: 'payloads.codecServer.origins', list: true },
};

/** WeftCodec options from the parsed config. */
export function codecOptionsFromConfig(cfg: PayloadsConfig): WeftCodecOptions {
  const current = cfg.codec.key !== undefined ? parseKeySpec(cfg.codec.key, 'WEFT_CODEC_KEY') : undefined;
  const old = cfg.codec.decryptKeys.map((spec) => parseKeySpec(spec, 'WEFT_CODEC_DECRYPT_KEYS'));
  return {
    compressAboveBytes: cfg.codec.compressAbove,
    ...(current ? { encryptionKey: current.key, encryptionKeyId: current.id } : {}),
    ...(old.length ? { decryptionKeys: Object.fromEntries(old.map((k) => [k.id, k.key])) } : {}),
  };
}

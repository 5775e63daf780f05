/**
 * Payloads: compression and encryption on the wire (WeftCodec), the remote
 * codec endpoint for the Temporal UI and CLI, and the claim check that keeps
 * large activity outputs out of workflow history.
 */
export { WeftCodec, WEFT_ENCODINGS, KEY_ID_METADATA, type WeftCodecOptions } from './codec';
export { weftDataConverter } from './data-converter';
export { createCodecHandler, startCodecServer, DEFAULT_CODEC_ORIGINS, type CodecHandlerOptions, type CodecRequestHandler, type CodecServer, type StartCodecServerOptions } from './codec-server';
export {
  offload,
  restore,
  restoreDeep,
  isWeftRef,
  claimCheckInterceptor,
  defaultBlobKey,
  DEFAULT_CLAIM_CHECK_THRESHOLD,
  type WeftRef,
  type OffloadOptions,
  type RestoreOptions,
  type ClaimCheckOptions,
} from './claim-check';
export { type BlobStore, type BlobRef } from './blob-store';
export { FileBlobStore } from './file-blob-store';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store';
export { openBlobStore, type OpenBlobStoreOptions } from './open-blob-store';
export { parseKey, parseKeySpec, keyFingerprint, type KeyMaterial } from './keys';
export { payloadsConfigSchema, PAYLOAD_ENV_VARS, codecOptionsFromConfig, type PayloadsConfig } from './config';
export { createPayloadSupport, type PayloadSupport } from './support';
export * from './errors';

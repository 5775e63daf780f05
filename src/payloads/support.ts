/**
 * What an entry point (worker, client, `weft dev`, `weft api`) builds from the
 * `payloads` config: the DataConverter, the claim-check interceptor, the blob
 * store and the codec endpoint.
 */
import type { DataConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { BlobStore } from './blob-store';
import { claimCheckInterceptor } from './claim-check';
import { createCodecHandler, type CodecHandlerOptions, type CodecRequestHandler } from './codec-server';
import { WeftCodec } from './codec';
import { codecOptionsFromConfig, type PayloadsConfig } from './config';
import { weftDataConverter } from './data-converter';
import { openBlobStore } from './open-blob-store';

export interface PayloadSupport {
  codec: WeftCodec;
  /** For `Worker.create({ dataConverter })` and `new Client({ dataConverter })`. */
  dataConverter: DataConverter;
  /** The claim check's store; undefined when the claim check is off. */
  blobStore: BlobStore | undefined;
  /** Put these after weftActivityInterceptor: `activity: [weftActivityInterceptor, ...activityInterceptors]`. */
  activityInterceptors: ActivityInterceptorsFactory[];
  /** A node:http handler for the codec endpoint, using this codec. */
  codecHandler(opts?: Omit<CodecHandlerOptions, 'codec'>): CodecRequestHandler;
}

/**
 * Everything an entry point needs from the `payloads` config. Opening the
 * store does no I/O; the file store creates its directory on first write.
 */
export function createPayloadSupport(cfg: PayloadsConfig, opts: { dataDir: string; env?: NodeJS.ProcessEnv }): PayloadSupport {
  const codec = new WeftCodec(codecOptionsFromConfig(cfg));
  const threshold = cfg.claimCheck.above;
  const blobStore = threshold === false ? undefined : openBlobStore(cfg.claimCheck.store, { dataDir: opts.dataDir, ...(opts.env ? { env: opts.env } : {}) });
  return {
    codec,
    dataConverter: weftDataConverter(codec),
    blobStore,
    activityInterceptors: blobStore && threshold !== false ? [claimCheckInterceptor({ store: blobStore, thresholdBytes: threshold, codec })] : [],
    codecHandler: (o = {}) =>
      createCodecHandler({
        codec,
        ...(cfg.codecServer.tokens.length ? { tokens: cfg.codecServer.tokens } : {}),
        ...(cfg.codecServer.origins.length ? { allowedOrigins: cfg.codecServer.origins } : {}),
        ...o,
      }),
  };
}

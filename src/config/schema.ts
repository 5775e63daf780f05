/**
 * Weft's configuration: one zod schema, parsed once per entry point.
 * Precedence, highest first: explicit flags/options, the environment, the
 * config file (`weft.config.json|yaml`, or `--config`), the Temporal CLI's
 * profile (for `temporal.*` only), then the defaults here.
 */
import { z } from 'zod';
import { payloadsConfigSchema } from '../payloads/config';

const port = z.coerce.number().int().min(1).max(65535);

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const configSchema = z
  .object({
    temporal: z
      .object({
        /**
         * Profile of the Temporal CLI's config file to read connection settings
         * from (env TEMPORAL_PROFILE). @defaultValue default
         */
        profile: z.string().min(1).optional(),
        /** host:port of the Temporal frontend. @defaultValue 127.0.0.1:7233 */
        address: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, for example 127.0.0.1:7233').default('127.0.0.1:7233'),
        /** @defaultValue default */
        namespace: z.string().min(1).default('default'),
        /** API key for Temporal Cloud; sent as a bearer token. */
        apiKey: z.string().min(1).optional(),
        /**
         * Server TLS or mTLS; `true` uses the system roots. Each PEM may be a
         * file (`…Path`) or inline (`…Data`), as in the Temporal CLI's profiles.
         * @defaultValue true when an apiKey is set (Temporal Cloud), else false
         */
        tls: z
          .union([
            z.boolean(),
            z
              .object({
                serverName: z.string().optional(),
                serverRootCaCertPath: z.string().optional(),
                serverRootCaCertData: z.string().optional(),
                clientCertPath: z.string().optional(),
                clientCertData: z.string().optional(),
                clientKeyPath: z.string().optional(),
                clientKeyData: z.string().optional(),
              })
              .strict(),
          ])
          .optional(),
        /** gRPC metadata sent with every call (env TEMPORAL_GRPC_META_<NAME>). @defaultValue {} */
        grpcMeta: z.record(z.string().min(1), z.string()).default({}),
      })
      .strict()
      .prefault({})
      // An API key without TLS would send the key in the clear; the Temporal CLI turns TLS on for it too.
      .transform((t) => ({ ...t, tls: t.tls ?? t.apiKey !== undefined })),
    /** Default task queue for runs and workers. @defaultValue weft */
    taskQueue: z.string().min(1).default('weft'),
    /** Where `weft dev` keeps Temporal's SQLite file and the local stores. @defaultValue .weft */
    dataDir: z.string().min(1).default('.weft'),
    /** Folder of named DAG definitions (*.yaml, *.yml, *.json). @defaultValue examples */
    dagsDir: z.string().min(1).default('examples'),
    /** Modules whose exported activities the worker loads, by path. @defaultValue [] */
    activityModules: z.array(z.string().min(1)).default([]),
    /**
     * Circuit breakers per activity type (`*` for every type): after
     * failureThreshold consecutive failures, attempts fail fast for coolDown.
     * @defaultValue none
     */
    circuitBreakers: z
      .record(
        z.string().min(1),
        z
          .object({
            failureThreshold: z.number().int().min(1),
            coolDown: z.union([z.number().int().min(1), z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h|d))+$/, 'expected a duration such as 30s')]),
          })
          .strict(),
      )
      .default({}),
    worker: z
      .object({
        /**
         * The Temporal SDK's per-promise stack capture in workflow threads,
         * which answers the `__stack_trace` query (the Temporal UI's "Stack
         * trace" tab). It costs most of the workflow thread's CPU, so it is off
         * unless debugging the interpreter (see docs/configuration.md).
         * @defaultValue false
         */
        workflowStackTraces: z
          .preprocess((v) => (typeof v === 'string' ? ({ true: true, '1': true, on: true, false: false, '0': false, off: false } as Record<string, boolean>)[v.trim().toLowerCase()] ?? v : v), z.boolean({ error: 'expected true or false (or on/off, 1/0)' }))
          .default(false),
      })
      .strict()
      .prefault({}),
    jobs: z
      .object({
        /**
         * Shards per job queue (env WEFT_JOBS_SHARDS), 1 to 1024: long-lived
         * workflows a queue's jobs spread over by a hash of their id. A queue keeps
         * the count it started with: a client configured otherwise is refused for
         * that queue (docs/jobs.md, "Shards"). @defaultValue 4
         */
        shards: z.coerce
          .number({ error: 'expected a whole number of shards from 1 to 1024' })
          .int('expected a whole number of shards from 1 to 1024')
          .min(1, 'expected a whole number of shards from 1 to 1024')
          .max(1024, 'expected a whole number of shards from 1 to 1024 (each shard is a workflow that runs waves of jobs)')
          .default(4),
      })
      .strict()
      .prefault({}),
    /** Compression, encryption and claim check of payloads (see docs/payloads.md). */
    payloads: payloadsConfigSchema.prefault({}),
    idempotency: z
      .object({
        /** Store for once(): postgres://… or sqlite:<file>. @defaultValue SQLite file under dataDir */
        url: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        /** @defaultValue 8080 */
        port: port.default(8080),
        /** @defaultValue 127.0.0.1 */
        host: z.string().min(1).default('127.0.0.1'),
        /** Bearer tokens accepted by `weft api`. */
        tokens: z.array(z.string().min(16, 'API tokens must be at least 16 characters')).default([]),
        /** Only for local use; `weft dev` sets it and says so. @defaultValue false */
        insecureNoAuth: z.boolean().default(false),
        /**
         * Admission control of starts (POST /v1/runs), per API process: past
         * these bounds a start is refused at once with 503 `overloaded` instead
         * of waiting for its deadline (src/api/admission.ts, docs/http-api.md).
         */
        starts: z
          .object({
            /** Starts sent to Temporal at once. @defaultValue 16 */
            maxInFlight: z.coerce.number().int().min(1).default(16),
            /** Starts waiting for a slot; 0 refuses every start that finds no slot. @defaultValue 64 */
            maxQueued: z.coerce.number().int().min(0).default(64),
            /** Longest a start waits for a slot, in ms. @defaultValue 1000 */
            maxQueueWaitMs: z.coerce.number().int().min(1).default(1000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        /** @defaultValue info */
        level: z.enum(LOG_LEVELS).default('info'),
        /** `pretty` for people, `json` for log shippers. @defaultValue json when not a TTY */
        format: z.enum(['json', 'pretty']).default(process.stdout.isTTY ? 'pretty' : 'json'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type WeftConfig = z.infer<typeof configSchema>;
export type WeftConfigInput = z.input<typeof configSchema>;

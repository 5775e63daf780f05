/**
 * OpenTelemetry tracing for every Weft process (API, worker, CLI), set up from
 * the standard OTEL_* environment variables. It is off unless the environment
 * asks for it, and when off nothing is installed: no SDK, no interceptors, no
 * per-request work. The SDK and exporters are loaded only when tracing starts,
 * so a CLI call without tracing does not pay for loading them.
 */
import type { IResource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as TemporalOtelModule from '@temporalio/interceptors-opentelemetry';

export type Env = Readonly<Record<string, string | undefined>>;

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export class TracingConfigError extends Error {
  override readonly name = 'TracingConfigError';
  constructor(
    readonly variable: string,
    readonly value: string,
    expected: string,
  ) {
    super(`Expected ${variable} to be ${expected}, got \`${value}\``);
  }
}

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/**
 * Tracing is on when an exporter is named (OTEL_TRACES_EXPORTER other than
 * `none`) or an OTLP endpoint is given; OTEL_SDK_DISABLED=true wins.
 */
export function tracingRequested(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (set(exporter)) return exporter !== 'none';
  return set(env.OTEL_EXPORTER_OTLP_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** The OTLP protocol: the traces-specific variable, then the general one. @defaultValue http/protobuf (the OTel default) */
export function otlpProtocol(env: Env = process.env): OtlpProtocol {
  const [name, raw] = set(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL)
    ? ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL]
    : ['OTEL_EXPORTER_OTLP_PROTOCOL', env.OTEL_EXPORTER_OTLP_PROTOCOL ?? ''];
  const value = raw.trim() || 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(value)) throw new TracingConfigError(name, value, `one of ${OTLP_PROTOCOLS.join(', ')}`);
  return value as OtlpProtocol;
}

/** The exporter OTEL_TRACES_EXPORTER names (otlp or console); the OTLP exporters read their endpoint, headers and timeout from the env themselves. */
export async function spanExporterFromEnv(env: Env = process.env): Promise<SpanExporter> {
  const name = env.OTEL_TRACES_EXPORTER?.trim() || 'otlp';
  if (name === 'console') return new (await import('@opentelemetry/sdk-trace-base')).ConsoleSpanExporter();
  if (name !== 'otlp') throw new TracingConfigError('OTEL_TRACES_EXPORTER', name, 'otlp, console or none');
  switch (otlpProtocol(env)) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    default:
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}

type TemporalOtel = typeof TemporalOtelModule;

export interface Tracing {
  /** Temporal's OpenTelemetry interceptors, loaded with the SDK. */
  readonly temporal: TemporalOtel;
  /** The resource of this process's spans (service.name and OTEL_RESOURCE_ATTRIBUTES). */
  readonly resource: IResource;
  /** Where spans go; the worker also feeds it the spans workflows export through their sink. */
  readonly spanProcessor: SpanProcessor;
  /** Exports what is buffered. */
  flush(): Promise<void>;
  /** Flushes and stops; tracing is then off in this process. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** The tracing this process started, if any. Interceptors are only installed when it is set. */
export function activeTracing(): Tracing | undefined {
  return active;
}

export interface StartTracingOptions {
  /** service.name unless OTEL_SERVICE_NAME says otherwise, e.g. `weft-worker`. */
  serviceName: string;
  env?: Env;
  /** Replaces the exporter the env names (tests, benchmarks). */
  exporter?: SpanExporter;
}

/**
 * Starts the Node SDK once per process when the env asks for tracing (or an
 * exporter is passed); returns the running tracing, or undefined when off.
 */
export async function startTracing(opts: StartTracingOptions): Promise<Tracing | undefined> {
  if (active) return active;
  const env = opts.env ?? process.env;
  if (!opts.exporter && !tracingRequested(env)) return undefined;
  const exporter = opts.exporter ?? (await spanExporterFromEnv(env));
  const [temporal, { NodeSDK }, { Resource, envDetectorSync }, { BatchSpanProcessor }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@temporalio/interceptors-opentelemetry'),
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  if (active) return active;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME?.trim() || opts.serviceName }).merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(exporter);
  // Traces only: metrics are prom-client's job, and the SDK would otherwise start an OTLP log exporter by default.
  const sdk = new NodeSDK({ resource, autoDetectResources: false, spanProcessors: [spanProcessor], logRecordProcessors: [], instrumentations: [] });
  sdk.start();
  const tracing: Tracing = {
    temporal,
    resource,
    spanProcessor,
    flush: () => spanProcessor.forceFlush(),
    async shutdown() {
      if (active === tracing) active = undefined;
      await sdk.shutdown();
    },
  };
  active = tracing;
  return tracing;
}

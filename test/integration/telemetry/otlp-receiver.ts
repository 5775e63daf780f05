/**
 * An OTLP/HTTP trace receiver for tests: a real HTTP server that accepts
 * what an OpenTelemetry exporter sends to /v1/traces, in http/json or
 * http/protobuf, and keeps the spans with their ids as hex strings.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The exporters' own generated protobuf definitions, used here the other way round: to decode.
import * as root from '@opentelemetry/otlp-transformer/build/src/generated/root';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, string | number | boolean>;
}

interface AnyValue {
  stringValue?: string | null;
  intValue?: number | string | { toString(): string } | null;
  boolValue?: boolean | null;
  doubleValue?: number | null;
}
interface KeyValue {
  key: string;
  value?: AnyValue | null;
}
interface WireSpan {
  traceId: string | Uint8Array;
  spanId: string | Uint8Array;
  parentSpanId?: string | Uint8Array | null;
  name: string;
  kind?: number | null;
  attributes?: KeyValue[] | null;
}
interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] | null } | null; scopeSpans?: { spans?: WireSpan[] | null }[] | null }[] | null;
}

type Root = { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(b: Uint8Array): unknown } } } } } } };

const hex = (id: string | Uint8Array | null | undefined): string => (id === null || id === undefined ? '' : typeof id === 'string' ? id : Buffer.from(id).toString('hex'));

function scalar(v: AnyValue | null | undefined): string | number | boolean {
  if (!v) return '';
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue.toString());
  return '';
}

const attrs = (kvs: KeyValue[] | null | undefined): Record<string, string | number | boolean> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, scalar(kv.value)]));

export class OtlpReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly received: ExportRequest[],
    /** Content types of the requests received, to prove which protocol was used. */
    readonly contentTypes: string[],
  ) {}

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  static async start(): Promise<OtlpReceiver> {
    const received: ExportRequest[] = [];
    const contentTypes: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const type = req.headers['content-type'] ?? '';
          contentTypes.push(type);
          const body = Buffer.concat(chunks);
          const decoded = (type.includes('json') ? JSON.parse(body.toString('utf8')) : (root as unknown as Root).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.decode(body)) as ExportRequest;
          received.push(decoded);
          res.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' }).end(type.includes('json') ? '{}' : undefined);
        } catch (err) {
          res.writeHead(400).end(String(err));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new OtlpReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, contentTypes);
  }

  /** Every span received so far, with ids as hex. */
  get spans(): ReceivedSpan[] {
    return this.received.flatMap((req) => spansOf(req));
  }
}

function spansOf(req: ExportRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({ traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId), name: s.name, kind: s.kind ?? 0, service, attributes: attrs(s.attributes) });
      }
    }
  }
  return out;
}

/** The spans of one trace as an indented tree, for failure messages and the report. */
export function spanTree(spans: ReceivedSpan[], traceId: string): string {
  const mine = spans.filter((s) => s.traceId === traceId);
  const ids = new Set(mine.map((s) => s.spanId));
  const lines: string[] = [];
  const walk = (parent: string, depth: number): void => {
    for (const s of mine.filter((x) => (parent === '' ? !ids.has(x.parentSpanId) : x.parentSpanId === parent))) {
      const names = ['weft.dag', 'weft.node', 'weft.attempt', 'weft.idempotency_key'].filter((k) => k in s.attributes).map((k) => `${k}=${String(s.attributes[k])}`);
      lines.push(`${'  '.repeat(depth)}${s.name} [${s.service}]${names.length ? ` ${names.join(' ')}` : ''}`);
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines.join('\n');
}

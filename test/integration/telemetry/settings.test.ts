/** Pure rules of telemetry: when tracing is on, the OTLP protocol, and how log records are shaped and rendered. */
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { otlpProtocol, tracingRequested, TracingConfigError } from '../../../src/telemetry/tracing';
import { formatRecord } from '../../../src/telemetry/readable-log';
import { shapeMetadata } from '../../../src/telemetry/temporal-logger';
import { tracingClientInterceptors } from '../../../src/telemetry/client';
import { telemetryActivityInterceptors } from '../../../src/telemetry/worker';
import { installHttpTracing } from '../../../src/telemetry/http-server';
import Fastify, { type FastifyInstance } from 'fastify';

describe('tracingRequested', () => {
  it('is off with no OTEL_* variables', () => {
    expect(tracingRequested({})).toBe(false);
  });
  it('is on with an OTLP endpoint, general or for traces', () => {
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  });
  it('is on with an exporter named, and off with none or OTEL_SDK_DISABLED', () => {
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(false);
  });
});

describe('with tracing off', () => {
  it('installs no client, activity or HTTP tracing', () => {
    // This file's process never starts tracing.
    expect(tracingClientInterceptors()).toBeUndefined();
    expect(telemetryActivityInterceptors()).toHaveLength(1);
    expect(installHttpTracing(Fastify() as unknown as FastifyInstance)).toBe(false);
  });
});

describe('otlpProtocol', () => {
  it('defaults to http/protobuf and prefers the traces-specific variable', () => {
    expect(otlpProtocol({})).toBe('http/protobuf');
    expect(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe('grpc');
    expect(otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })).toBe('http/json');
  });
  it('rejects an unknown protocol, naming the variable and the value', () => {
    expect(() => otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' })).toThrow(TracingConfigError);
    expect(() => otlpProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL .*`carrier-pigeon`/);
  });
});

describe('shapeMetadata', () => {
  it('drops task tokens, summarizes errors and replaces bytes with their size', () => {
    const err = ApplicationFailure.create({ message: 'boom', type: 'Broken' });
    const shaped = shapeMetadata({ taskToken: 'c2VjcmV0', error: err, payload: new Uint8Array(300), nodeId: 'a' });
    expect(shaped).not.toHaveProperty('taskToken');
    expect(shaped).toMatchObject({ error: { type: 'Broken', message: 'boom' }, payload: '<300 bytes>', nodeId: 'a' });
    // Only what a reader needs: not the failure's proto, details or other fields.
    expect(Object.keys(shaped.error as object).sort()).toEqual(['message', 'stack', 'type']);
  });
});

describe('formatRecord', () => {
  const record = (r: Record<string, unknown>): string => JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 0), ...r });
  it('renders identity fields first, then the error, then other short fields, hiding bookkeeping', () => {
    const line = formatRecord(record({ level: 40, msg: 'Activity failed', dag: 'etl', runId: 'etl-1', workflowId: 'etl-1', nodeId: 'load', attempt: 2, error: { message: 'HTTP 503' }, taskQueue: 'weft', url: 'http://x' }), false);
    expect(line).toMatch(/^\d\d:\d\d:\d\d WARN {2}attempt failed dag=etl run=etl-1 node=load attempt=2 error=HTTP 503 url=http:\/\/x$/);
  });
  it('names the run by its workflow id, not the Temporal run id', () => {
    expect(formatRecord(record({ msg: 'x', workflowId: 'etl-1', runId: '0190-abcd' }), false)).toContain('run=etl-1');
  });
  it("leaves out the SDK's workflow lifecycle lines that Weft's run events repeat", () => {
    expect(formatRecord(record({ msg: 'Workflow failed', sdkComponent: 'workflow' }), false)).toBeUndefined();
  });
  it('colours only when asked', () => {
    expect(formatRecord(record({ msg: 'run started' }), true)).toContain('\u001b[32mINFO');
    expect(formatRecord(record({ msg: 'run started' }), false)).not.toContain('\u001b[');
  });
  it('leaves out values too long for one line', () => {
    expect(formatRecord(record({ msg: 'x', blob: 'A'.repeat(500) }), false)).not.toContain('blob=');
  });
});

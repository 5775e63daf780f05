/**
 * The Temporal SDK's log records, into pino, shaped for people and log
 * shippers alike: no task tokens (they are credentials to complete a task),
 * no raw bytes, and errors as type, message and stack instead of the whole
 * failure object with its encoded proto.
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from '../common/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

const DROPPED = new Set(['taskToken', 'base64TaskToken']);

interface ErrorSummary {
  type: string;
  message: string;
  stack?: string;
  cause?: ErrorSummary;
}

function summarize(err: Error, depth = 0): ErrorSummary {
  const type = (err as { type?: unknown }).type;
  const cause = err.cause instanceof Error && depth < 3 ? summarize(err.cause, depth + 1) : undefined;
  return { type: typeof type === 'string' && type ? type : err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...(cause ? { cause } : {}) };
}

function shape(value: unknown): unknown {
  if (value instanceof Error) return summarize(value);
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  return value;
}

/** The SDK's metadata, made safe and short. Exported for tests. */
export function shapeMetadata(meta: LogMetadata | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (!DROPPED.has(k)) out[k] = shape(v);
  }
  return out;
}

/** Adapts pino to the SDK's logger interface. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly pino: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[LEVELS[level]](shapeMetadata(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

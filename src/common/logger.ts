/**
 * One pino logger per process, configured from `log` in the config: JSON
 * lines for log shippers, or `pretty` one-line events for a terminal (see
 * src/telemetry/readable-log.ts), coloured when stdout is a TTY.
 */
import pino, { type Logger } from 'pino';
import type { WeftConfig } from '../config/schema';
import { readableStream } from '../telemetry/readable-log';

export type { Logger };

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function createLogger(log: WeftConfig['log'], name = 'weft'): Logger {
  if (log.format === 'pretty') {
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    return pino({ name, level: log.level }, readableStream(process.stdout, color));
  }
  return pino({ name, level: log.level });
}

/** One pino logger per process, configured from `log` in the config. */
import pino, { type Logger } from 'pino';
import type { WeftConfig } from '../config/schema';

export type { Logger };

export function createLogger(log: WeftConfig['log'], name = 'weft'): Logger {
  if (log.format === 'pretty') {
    return pino({
      name,
      level: log.level,
      transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino({ name, level: log.level });
}

/**
 * Every strict parser for CLI option values, in one place: errors name the
 * flag and the bad value, and commander turns them into exit 2. The imports
 * are leaves (no Temporal client, no schedule validation), so a command that
 * uses one parser does not load the others' dependencies.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { cronError } from '../client/schedules/cron';
import { parseIsoTime, timezoneError } from '../client/schedules/time';
import { parseDuration } from '../dag/duration';

export function portOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 65535) {
      throw new InvalidArgumentError(`Expected ${flag} to be an integer from 1 to 65535, got \`${value}\`.`);
    }
    return n;
  };
}

export function positiveIntOption(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`Expected ${flag} to be a positive integer, got \`${value}\`.`);
    return n;
  };
}

export function choiceOption<T extends string>(flag: string, choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`Expected ${flag} to be one of ${choices.join(', ')}, got \`${value}\`.`);
    }
    return value as T;
  };
}

/** `--flag '{"a":1}'` or `--flag @file.json`. */
export function jsonOption(flag: string): (value: string) => unknown {
  return (value) => {
    let text = value;
    if (value.startsWith('@')) {
      const file = value.slice(1);
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new InvalidArgumentError(`Expected ${flag} @file to name a readable file, got \`${file}\` (${(e as Error).message}).`);
      }
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new InvalidArgumentError(`Expected ${flag} to be JSON or @file, got \`${value.length > 60 ? `${value.slice(0, 60)}…` : value}\` (${(e as Error).message}).`);
    }
  };
}

/** ISO 8601: a date (UTC midnight) or a date-time with Z or an offset; a time without a zone would depend on the machine. */
export function dateOption(flag: string): (value: string) => Date {
  return (value) => {
    const t = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : parseIsoTime(value);
    if (t === undefined || Number.isNaN(t)) {
      throw new InvalidArgumentError(`Expected ${flag} to be an ISO 8601 date or time with a zone, such as 2026-01-01 or 2026-01-01T02:00:00Z, got \`${value}\`.`);
    }
    return new Date(t);
  };
}

export function durationOption(flag: string): (value: string) => string {
  return (value) => {
    if (parseDuration(value) === undefined) throw new InvalidArgumentError(`Expected ${flag} to be a duration such as 30s or 5m, got \`${value}\`.`);
    return value;
  };
}

/** A duration in milliseconds, at least `minMs`. */
export function durationMsOption(flag: string, minMs: number): (value: string) => number {
  return (value) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs) throw new InvalidArgumentError(`Expected ${flag} to be a duration such as 500ms, 5s or 1m (at least ${minMs}ms), got \`${value}\`.`);
    return ms;
  };
}

/** Temporal's priority keys: 1 (highest) to 5. */
export function priorityOption(flag: string): (value: string) => number {
  return (value) => {
    if (!/^[1-5]$/.test(value)) throw new InvalidArgumentError(`Expected ${flag} to be an integer from 1 (highest) to 5, got \`${value}\`.`);
    return Number(value);
  };
}

/** A repeatable `--cron`: each value is checked the way Temporal's server reads it, and collected. */
export function cronOption(flag: string): (value: string, previous?: string[]) => string[] {
  return (value, previous = []) => {
    const problem = cronError(value);
    if (problem) throw new InvalidArgumentError(`Expected ${flag} to be a cron expression: ${problem}.`);
    return [...previous, value];
  };
}

export function timezoneOption(flag: string): (value: string) => string {
  return (value) => {
    const problem = timezoneError(value);
    if (problem) throw new InvalidArgumentError(`Expected ${flag} to be an IANA time zone: ${problem}.`);
    return value;
  };
}

/** Strict parsers for CLI option values: errors name the flag and the bad value. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
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

export function dateOption(flag: string): (value: string) => Date {
  return (value) => {
    const t = Date.parse(value);
    if (Number.isNaN(t)) throw new InvalidArgumentError(`Expected ${flag} to be an ISO 8601 time, got \`${value}\`.`);
    return new Date(t);
  };
}

export function durationOption(flag: string): (value: string) => string {
  return (value) => {
    if (parseDuration(value) === undefined) throw new InvalidArgumentError(`Expected ${flag} to be a duration such as 30s or 5m, got \`${value}\`.`);
    return value;
  };
}

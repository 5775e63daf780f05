/** Strict parsers for CLI option values: errors name the flag and the bad value. */
import { InvalidArgumentError } from 'commander';

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

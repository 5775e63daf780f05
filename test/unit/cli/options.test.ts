/** The CLI's one set of option parsers, and its one table renderer. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { cronOption, dateOption, durationMsOption, priorityOption, timezoneOption } from '../../../src/cli/options';
import { table } from '../../../src/cli/render';

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('expected an InvalidArgumentError');
};

describe('option parsers', () => {
  it('dateOption takes a date as UTC midnight, or a time with a zone, and refuses a time without one', () => {
    expect(dateOption('--since')('2026-01-02').toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(dateOption('--since')('2026-01-02T03:04:05+02:00').toISOString()).toBe('2026-01-02T01:04:05.000Z');
    expect(messageOf(() => dateOption('--since')('2026-01-02T03:04'))).toBe(
      'Expected --since to be an ISO 8601 date or time with a zone, such as 2026-01-01 or 2026-01-01T02:00:00Z, got `2026-01-02T03:04`.',
    );
  });

  it('priorityOption takes 1 to 5 and names the flag otherwise', () => {
    expect(priorityOption('--priority')('1')).toBe(1);
    expect(messageOf(() => priorityOption('--priority')('6'))).toBe('Expected --priority to be an integer from 1 (highest) to 5, got `6`.');
  });

  it('cronOption collects repeated values and checks each', () => {
    const parse = cronOption('--cron');
    expect(parse('0 1 * * *', parse('@daily'))).toEqual(['@daily', '0 1 * * *']);
    expect(messageOf(() => parse('nope'))).toMatch(/^Expected --cron to be a cron expression: /);
  });

  it('timezoneOption refuses a zone Temporal would not load', () => {
    expect(timezoneOption('--timezone')('Europe/Berlin')).toBe('Europe/Berlin');
    expect(messageOf(() => timezoneOption('--timezone')('europe/berlin'))).toContain('did you mean Europe/Berlin?');
  });

  it('durationMsOption gives milliseconds and enforces its minimum', () => {
    expect(durationMsOption('--interval', 10)('1s')).toBe(1000);
    expect(messageOf(() => durationMsOption('--interval', 10)('5ms'))).toBe('Expected --interval to be a duration such as 500ms, 5s or 1m (at least 10ms), got `5ms`.');
  });
});

describe('table', () => {
  it('pads every column but the last to its widest cell, two spaces apart', () => {
    expect(table([['ID', 'STATE', 'NOTE'], ['a-long-id', 'ok', 'x'], ['b', 'failed', '']])).toEqual(['ID         STATE   NOTE', 'a-long-id  ok      x', 'b          failed']);
  });
});

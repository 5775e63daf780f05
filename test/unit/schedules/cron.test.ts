/** The cron validator accepts what Temporal's server reads as the author meant, and names what is wrong with the rest. */
import { describe, expect, it } from 'vitest';
import { cronError, normalizeCron } from '../../../src/client/schedules';

describe('cronError', () => {
  it.each([
    '0 2 * * *',
    '*/15 9-17 * * MON-FRI',
    '0 0 1 JAN *',
    '0 0 1 january *',
    '0 0 * * mon',
    '0 0 * * Monday',
    '0 0 * * 7',
    '0 0 * * SUN-SAT',
    '1-5/2 * * * *',
    '5/10 * * * *',
    '0,30 8,12,18 * * 1-5',
    '0 0 * * * 2030',
    '0 0 1 1 * 2030-2040/2',
    '  0   2 * * *  ',
    '@daily',
    '@hourly',
    '@midnight',
    '@annually',
  ])('accepts %j', (expr) => {
    expect(cronError(expr)).toBeUndefined();
  });

  it.each([
    ['x', 'expected 5 fields: minute hour day-of-month month day-of-week, or 6 with a year after them; got 1'],
    ['', 'expected 5 fields'],
    ['0 0 0 * * * 2030', 'got 7'],
    ['60 * * * *', 'minute 60 is out of range 0-59'],
    ['0 25 * * *', 'hour 25 is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['0 0 1 13 *', 'month 13 is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week 8 is out of range 0-7'],
    ['0 0 * * * 1999', 'year 1999 is out of range 2000-2100'],
    ['0 0 1 FOO *', 'month "FOO" is not a month (JAN-DEC)'],
    ['0 0 * * FUN', 'day-of-week "FUN" is not a weekday (SUN-SAT)'],
    ['0 0 MON * *', 'day-of-month "MON" is not a number'],
    ['0 0 * * 5-1', 'day-of-week range "5-1" ends before it starts'],
    ['*/0 * * * *', 'minute "*/0" needs a whole-number step of 1 or more after /'],
    ['0,,5 * * * *', 'minute has an empty list item'],
    ['0 0 ? * *', 'uses Quartz syntax (?, L, W) that Temporal does not support'],
    ['0 0 L * *', 'uses Quartz syntax'],
    ['0 0 * * 1#2', '"#" is not supported: Temporal reads the rest of the line as a comment'],
    ['TZ=Europe/Berlin 0 2 * * *', 'give the time zone in the timezone field'],
    ['@every 1h', 'use interval: { every: … } instead of @every'],
    ['@sometimes', 'expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly'],
    ['@Daily', 'expected one of @yearly'],
  ])('rejects %j, saying why', (expr, why) => {
    const message = cronError(expr);
    expect(message).toContain(`invalid cron expression ${JSON.stringify(expr)} (`);
    expect(message).toContain(why);
  });
});

describe('normalizeCron', () => {
  it('collapses whitespace so equal schedules compare equal', () => {
    expect(normalizeCron('  0   2 *\t* * ')).toBe('0 2 * * *');
  });
});

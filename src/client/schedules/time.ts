/**
 * Times and time zones in schedules, checked the way Temporal's server reads
 * them. A leaf with no imports, so the CLI's option parsers can use it without
 * loading the schedules file validation.
 */

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 time with a zone, or undefined. */
export function parseIsoTime(value: string): number | undefined {
  if (!ISO_TIME.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

let knownZones: Set<string> | undefined;

/** Undefined for an IANA time zone Temporal's server will load; otherwise why not. */
export function timezoneError(tz: string): string | undefined {
  const expected = 'expected an IANA time zone such as Europe/Berlin, America/New_York or UTC';
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return `${expected}, got ${JSON.stringify(tz)}`;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return `unknown time zone ${JSON.stringify(tz)}; ${expected}`;
  }
  // Intl ignores letter case; Temporal's server (Go) does not.
  knownZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (!knownZones.has(tz)) {
    const exact = [...knownZones].find((zone) => zone.toLowerCase() === tz.toLowerCase());
    if (exact) return `time zone names are case-sensitive: did you mean ${exact}?`;
  }
  return undefined;
}

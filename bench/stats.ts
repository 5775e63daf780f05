/** Small helpers every benchmark shares: medians, the machine's load, argument flags. */
import { loadavg } from 'node:os';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
export function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

/** `--name value` from argv, or the fallback. */
export function flag(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export function numberFlag(args: readonly string[], name: string, fallback: number): number {
  const value = Number(flag(args, name, String(fallback)));
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name}: expected a positive number, got ${flag(args, name, '')}`);
  return value;
}

/** Rotates a list by `by`, so each round starts with a different system. */
export function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = ((by % xs.length) + xs.length) % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

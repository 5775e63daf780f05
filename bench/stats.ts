/** Small helpers every benchmark shares: medians, the machine's load, argument flags, a process's CPU. */
import { readFileSync } from 'node:fs';
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

/** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux builds for x86 and arm). */
const USER_HZ = 100;

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux). */
export function processCpuMs(pid: number | 'self'): number {
  // Fields after the command name, which is in parentheses and may hold spaces or parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

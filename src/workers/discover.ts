/**
 * Convention for DAG folders: a DAG may sit next to an `activities.ts` (or
 * `.js`) module holding its activities, as every example does. `weft dev`
 * loads those automatically; `weft worker` only loads what config names.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

const NAMES = ['activities.ts', 'activities.js'];

/** `activities.ts|js` files in `dagsDir` and its direct subfolders, as `./`-relative paths from cwd. */
export function discoverActivityModules(dagsDir: string, cwd = process.cwd()): string[] {
  if (!existsSync(dagsDir) || !statSync(dagsDir).isDirectory()) return [];
  const dirs = [dagsDir, ...readdirSync(dagsDir).map((d) => join(dagsDir, d)).filter((d) => statSync(d).isDirectory())];
  const found: string[] = [];
  for (const dir of dirs.sort()) {
    const name = NAMES.find((n) => existsSync(join(dir, n)));
    if (!name) continue;
    const rel = relative(cwd, join(dir, name));
    // Module paths load like require(): relative ones must say so.
    found.push(isAbsolute(rel) || rel.startsWith('..') ? rel : `./${rel}`);
  }
  return found;
}

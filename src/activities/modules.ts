/**
 * Loads user activity modules by path (config `activityModules`, env
 * `WEFT_ACTIVITY_MODULES`). A module exports its definitions in any of these
 * ways: `export const activities = [...]`, `export default [...]`, or each
 * definition as its own export.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ActivityModuleError } from './errors';
import { isActivityDefinition, type AnyActivityDefinition } from './registry';

export interface LoadedActivityModule {
  /** The path as configured. */
  path: string;
  /** The file that was loaded. */
  resolvedPath: string;
  activities: AnyActivityDefinition[];
}

const EXTENSIONS = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

function resolveModule(path: string, baseDir: string): string {
  if (isAbsolute(path) || path.startsWith('.')) {
    const base = resolve(baseDir, path);
    const candidates = [...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.slice(1).map((ext) => resolve(base, `index${ext}`))];
    const found = candidates.find((file) => existsSync(file) && statSync(file).isFile());
    if (!found) throw new ActivityModuleError(path, base, `file not found (looked in ${baseDir}; tried ${EXTENSIONS.slice(1).join(', ')} and index files)`);
    return found;
  }
  // A package name or subpath, resolved the way the user's own code would.
  try {
    return require.resolve(path, { paths: [baseDir] });
  } catch (err) {
    throw new ActivityModuleError(path, undefined, `no such file or package from ${baseDir}; paths to files must start with "./", "../" or "/"`, { cause: err });
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function (plain functions are not activities; wrap them with defineActivity())';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function definitionsFromList(list: unknown[], exportName: string, path: string, resolvedPath: string): AnyActivityDefinition[] {
  return list.map((item, index) => {
    if (!isActivityDefinition(item)) {
      throw new ActivityModuleError(path, resolvedPath, `${exportName}[${index}] is ${describeValue(item)}, not an activity definition; create each entry with defineActivity()`);
    }
    return item;
  });
}

/** Picks the definitions out of a loaded module's namespace. */
export function activitiesOfModule(namespace: Record<string, unknown>, path: string, resolvedPath: string): AnyActivityDefinition[] {
  // CommonJS loaded through import() shows `module.exports` as `default` too.
  const cjsDefault = typeof namespace.default === 'object' && namespace.default !== null && !Array.isArray(namespace.default) && !isActivityDefinition(namespace.default)
    ? (namespace.default as Record<string, unknown>)
    : undefined;
  const exports: Record<string, unknown> = { ...cjsDefault, ...namespace };
  const found: AnyActivityDefinition[] = [];

  if ('activities' in exports) {
    const list = exports.activities;
    if (!Array.isArray(list)) throw new ActivityModuleError(path, resolvedPath, `the "activities" export is ${describeValue(list)}; it must be an array of definitions made with defineActivity()`);
    found.push(...definitionsFromList(list, 'activities', path, resolvedPath));
  }
  if (Array.isArray(exports.default)) found.push(...definitionsFromList(exports.default, 'default', path, resolvedPath));
  for (const value of Object.values(exports)) if (isActivityDefinition(value)) found.push(value);

  const unique = [...new Set(found)];
  if (unique.length === 0) {
    const names = Object.keys(exports).filter((k) => k !== '__esModule');
    throw new ActivityModuleError(
      path,
      resolvedPath,
      `it exports no activities (exports found: ${names.length ? names.join(', ') : 'none'}). ` +
        'Export `activities` (an array of defineActivity() results), a default array, or the definitions themselves.',
    );
  }
  return unique;
}

/**
 * With a TypeScript require hook registered (tsx/cjs: bin/weft, npm start),
 * require() loads .ts modules; otherwise import() does (test runners hook it,
 * and Node loads compiled .js either way).
 */
async function loadModule(resolvedPath: string): Promise<Record<string, unknown>> {
  // require.extensions is deprecated, but it is the only way to see whether a .ts require hook is installed.
  if (/\.[cm]?ts$/.test(resolvedPath) && require.extensions['.ts']) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolvedPath) as Record<string, unknown>;
  }
  return (await import(resolvedPath)) as Record<string, unknown>;
}

/**
 * Imports each module and collects its definitions. Relative paths resolve
 * against `baseDir` (the working directory or the config file's folder).
 * TypeScript modules load when the process runs under tsx (as `weft dev` does)
 * or another TypeScript loader; otherwise point at compiled JavaScript.
 */
export async function loadActivityModules(paths: readonly string[], baseDir: string): Promise<LoadedActivityModule[]> {
  const loaded: LoadedActivityModule[] = [];
  for (const path of paths) {
    const resolvedPath = resolveModule(path, baseDir);
    let namespace: Record<string, unknown>;
    try {
      namespace = await loadModule(resolvedPath);
    } catch (err) {
      const hint = /\.[cm]?ts$/.test(resolvedPath) && /Unknown file extension|Unexpected token|Cannot use import|Directory import|Missing initializer|ERR_REQUIRE|not supported/.test(String(err))
        ? ' (a TypeScript module needs a TypeScript loader such as tsx; or compile it and point at the .js file)'
        : '';
      throw new ActivityModuleError(path, resolvedPath, `it threw while loading: ${err instanceof Error ? err.message : String(err)}${hint}`, { cause: err });
    }
    loaded.push({ path, resolvedPath, activities: activitiesOfModule(namespace, path, resolvedPath) });
  }
  return loaded;
}

/** The registry a worker serves: the built-ins plus the user's activity modules. */
import { builtinActivities } from './builtins';
import { loadActivityModules } from './modules';
import { ActivityRegistry } from './registry';

export interface CreateActivityRegistryOptions {
  /** Paths of user modules (config `activityModules`). @defaultValue [] */
  modules?: readonly string[];
  /** Where relative module paths start. @defaultValue process.cwd() */
  baseDir?: string;
  /** Register http.request, notify.webhook, noop and sleep. @defaultValue true */
  builtins?: boolean;
}

export async function createActivityRegistry(opts: CreateActivityRegistryOptions = {}): Promise<ActivityRegistry> {
  const registry = new ActivityRegistry();
  if (opts.builtins ?? true) registry.add(builtinActivities(), 'built-in');
  for (const mod of await loadActivityModules(opts.modules ?? [], opts.baseDir ?? process.cwd())) {
    registry.add(mod.activities, mod.path);
  }
  return registry;
}

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import {
  ActivityDefinitionError,
  ActivityModuleError,
  ActivityRegistry,
  builtinActivities,
  createActivityRegistry,
  defineActivity,
  DuplicateActivityError,
  loadActivityModules,
} from '../../../src/activities';
import { activityEnv, rejectionOf } from './support/activity-env';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'activity-modules');

const createUser = defineActivity({
  name: 'users.create',
  input: z.object({
    email: z.email(),
    age: z.number().int().min(0),
    tags: z.array(z.string()).default([]),
    address: z.object({ city: z.string() }),
  }),
  handler: (input) => ({ created: input.email, tags: input.tags }),
});

describe('defineActivity', () => {
  it('passes the parsed input (defaults applied) and a ctx with the idempotency key to the handler', async () => {
    const seen = defineActivity({
      name: 'test.seen',
      input: z.object({ n: z.number(), label: z.string().default('none') }),
      handler: (input, ctx) => ({ input, key: ctx.idempotencyKey, signalAborted: ctx.signal.aborted }),
    });
    const env = activityEnv({ activityId: 'seen' });
    expect(await env.run(seen.run, { n: 1 })).toEqual({ input: { n: 1, label: 'none' }, key: `${env.identity.workflowId}/seen`, signalAborted: false });
  });

  it('fails bad input non-retryably with WeftInvalidActivityInput naming each bad path and value', async () => {
    const err = await rejectionOf(activityEnv().run(createUser.run, { email: 'not-an-email', age: -1, tags: ['ok', 7], address: {} }));
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('WeftInvalidActivityInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('Invalid input for activity "users.create"');
    expect(failure.message).toContain('email: Invalid email address (got "not-an-email")');
    expect(failure.message).toContain('age: ');
    expect(failure.message).toContain('(got -1)');
    expect(failure.message).toContain('tags[1]: ');
    expect(failure.message).toContain('(got 7)');
    expect(failure.message).toContain('address.city: ');
    expect(failure.message).toContain('(missing)');
    expect(failure.details?.[0]).toMatchObject({ activity: 'users.create', issues: expect.arrayContaining([expect.objectContaining({ path: 'tags[1]', value: '7' })]) });
  });

  it('names the whole input when it is not an object at all', async () => {
    const failure = (await rejectionOf(activityEnv().run(createUser.run, 'hello'))) as ApplicationFailure;
    expect(failure.type).toBe('WeftInvalidActivityInput');
    expect(failure.message).toContain('(input): ');
    expect(failure.message).toContain('(got "hello")');
  });

  it('fails a result that does not match the output schema with WeftInvalidActivityOutput', async () => {
    const liar = defineActivity({ name: 'test.liar', input: z.unknown(), output: z.object({ id: z.string() }), handler: () => ({ id: 42 }) as never });
    const failure = (await rejectionOf(activityEnv().run(liar.run, {}))) as ApplicationFailure;
    expect(failure.type).toBe('WeftInvalidActivityOutput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('id: ');
  });

  it.each(['', 'has space', '1starts.with.digit', 'trailing.', 'a..b', 'x/y'])('rejects the activity name %j', (name) => {
    expect(() => defineActivity({ name, input: z.unknown(), handler: () => null })).toThrow(ActivityDefinitionError);
  });

  it('rejects a definition whose input is not a zod schema', () => {
    expect(() => defineActivity({ name: 'ok.name', input: { type: 'object' } as never, handler: () => null })).toThrow(/input must be a zod schema/);
  });
});

describe('ActivityRegistry', () => {
  it('registers definitions and exposes them by name for the worker', async () => {
    const registry = new ActivityRegistry(builtinActivities(), 'built-in').add(createUser);
    expect(registry.names()).toEqual(['http.request', 'noop', 'notify.webhook', 'sleep', 'users.create']);
    expect(registry.get('users.create')).toBe(createUser);
    const activities = registry.toWorkerActivities();
    // Every definition, and the job queue's batch lane (src/activities/builtins/job-batch.ts).
    expect(Object.keys(activities).sort()).toEqual([...registry.names(), 'weft.jobs.batch'].sort());
    expect(await activityEnv().run(activities.noop!, { a: 1 })).toEqual({ a: 1 });
  });

  it('refuses a second definition with the same name, naming both sources', () => {
    const registry = new ActivityRegistry([createUser], 'users.ts');
    const copy = defineActivity({ name: 'users.create', input: z.unknown(), handler: () => null });
    const err = (() => {
      try {
        registry.add(copy, 'admin.ts');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DuplicateActivityError);
    expect(err).toMatchObject({ activityName: 'users.create', firstSource: 'users.ts', secondSource: 'admin.ts' });
    expect((err as Error).message).toContain('"users.create" is registered twice: by users.ts and by admin.ts');
  });

  it('accepts the same definition twice (a module that exports it twice)', () => {
    expect(new ActivityRegistry([createUser, createUser]).size).toBe(1);
  });
});

describe('loadActivityModules', () => {
  it('loads the `activities` array of a module given by relative path', async () => {
    const [mod] = await loadActivityModules(['./billing.ts'], fixtures);
    expect(mod?.resolvedPath).toBe(join(fixtures, 'billing.ts'));
    expect(mod?.activities.map((a) => a.name)).toEqual(['billing.charge', 'billing.refund']);
  });

  it('finds a module without its extension, and runs its activities', async () => {
    const [mod] = await loadActivityModules(['./billing'], fixtures);
    const charge = mod!.activities.find((a) => a.name === 'billing.charge')!;
    const env = activityEnv({ activityId: 'charge' });
    expect(await env.run(charge.run, { customerId: 'c1', cents: 500 })).toEqual({ chargeId: 'ch_c1_500', key: `${env.identity.workflowId}/charge` });
  });

  it('loads a default-exported array and individually exported definitions', async () => {
    const mods = await loadActivityModules([join(fixtures, 'default-export.ts'), './named-exports.ts'], fixtures);
    expect(mods.map((m) => m.activities.map((a) => a.name))).toEqual([['images.resize'], ['email.send', 'sms.send']]);
  });

  it('fails clearly for a module that exports no activities, listing what it does export', async () => {
    const err = await rejectionOf(loadActivityModules(['./no-activities.ts'], fixtures));
    expect(err).toBeInstanceOf(ActivityModuleError);
    expect(err).toMatchObject({ modulePath: './no-activities.ts', resolvedPath: join(fixtures, 'no-activities.ts') });
    expect((err as Error).message).toContain('Cannot load activity module "./no-activities.ts"');
    expect((err as Error).message).toContain('exports no activities (exports found: chargeCard, RETRIES)');
  });

  it('names the entry of an `activities` array that is not a definition', async () => {
    const err = await rejectionOf(loadActivityModules(['./bad-entry.ts'], fixtures));
    expect(err).toBeInstanceOf(ActivityModuleError);
    expect((err as Error).message).toContain('activities[1] is a function');
    expect((err as Error).message).toContain('defineActivity()');
  });

  it('reports a missing file with where it looked', async () => {
    const err = await rejectionOf(loadActivityModules(['./nope.ts'], fixtures));
    expect(err).toBeInstanceOf(ActivityModuleError);
    expect((err as Error).message).toContain('"./nope.ts"');
    expect((err as Error).message).toContain('file not found');
  });

  it('reports a module that throws while loading, with its error', async () => {
    const err = await rejectionOf(loadActivityModules(['./throws-on-load.ts'], fixtures));
    expect(err).toBeInstanceOf(ActivityModuleError);
    expect((err as Error).message).toContain('threw while loading: BILLING_API_KEY is not set');
  });
});

describe('createActivityRegistry', () => {
  it('registers the built-ins and the configured modules', async () => {
    const registry = await createActivityRegistry({ modules: ['./billing.ts'], baseDir: fixtures });
    expect(registry.names()).toEqual(['billing.charge', 'billing.refund', 'http.request', 'noop', 'notify.webhook', 'sleep']);
    expect(registry.sourceOf('billing.charge')).toBe('./billing.ts');
    expect(registry.sourceOf('noop')).toBe('built-in');
  });

  it('refuses two modules that define the same name, naming both', async () => {
    await expect(createActivityRegistry({ modules: ['./billing.ts', './duplicate-charge.ts'], baseDir: fixtures })).rejects.toThrow(
      'Activity "billing.charge" is registered twice: by ./billing.ts and by ./duplicate-charge.ts',
    );
  });

  it('refuses a module that redefines a built-in', async () => {
    await expect(createActivityRegistry({ modules: ['./shadows-builtin.ts'], baseDir: fixtures })).rejects.toThrow('by built-in and by ./shadows-builtin.ts');
  });
});

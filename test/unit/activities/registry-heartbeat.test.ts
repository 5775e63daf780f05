/**
 * An activity can declare that it heartbeats (`heartbeatTimeout`), so that
 * DAG compilation, given `registry.heartbeatTimeouts()`, gives its nodes that
 * heartbeat timeout and `mode: auto` runs them remote (src/dag/mode.ts reads
 * a node's heartbeat timeout). Bad values fail at definition, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActivityDefinitionError } from '../../../src/activities/errors';
import { ActivityRegistry, defineActivity } from '../../../src/activities/registry';

const define = (name: string, heartbeatTimeout?: string | number) =>
  defineActivity({ name, input: z.unknown(), handler: async () => null, ...(heartbeatTimeout !== undefined ? { heartbeatTimeout } : {}) });

describe('heartbeatTimeout in an activity definition', () => {
  it('is kept in milliseconds, from a duration or a number', () => {
    expect(define('media.transcode', '45s').heartbeatTimeoutMs).toBe(45_000);
    expect(define('media.probe', 2500).heartbeatTimeoutMs).toBe(2500);
    expect(define('media.noop').heartbeatTimeoutMs).toBeUndefined();
  });

  it('is listed by the registry for the activities that declare one only', () => {
    const registry = new ActivityRegistry([define('media.transcode', '1m'), define('media.noop')]);
    expect(registry.heartbeatTimeouts()).toEqual({ 'media.transcode': 60_000 });
  });

  it.each([['soon'], [0], [-5], ['0s']])('refuses %j, naming the activity and the field', (bad) => {
    const err = (() => {
      try {
        define('media.transcode', bad);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ActivityDefinitionError);
    expect(err).toMatchObject({ activityName: 'media.transcode', field: 'heartbeatTimeout' });
    expect((err as Error).message).toContain(`must be a duration above 0 such as "30s" (or milliseconds), got ${JSON.stringify(bad)}`);
  });
});

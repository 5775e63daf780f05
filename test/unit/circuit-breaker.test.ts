/** The circuit breaker state machine, on a clock the test controls. */
import { describe, expect, it } from 'vitest';
import { type ApplicationFailure } from '@temporalio/common';
import { CircuitBreakers, CIRCUIT_OPEN } from '../../src/workers/circuit-breaker';

function setup() {
  const clock = { t: 0 };
  const b = new CircuitBreakers({ 'dep.call': { failureThreshold: 3, coolDownMs: 10_000 } }, () => clock.t);
  return { b, clock };
}

function openError(fn: () => void): ApplicationFailure {
  try {
    fn();
  } catch (err) {
    return err as ApplicationFailure;
  }
  throw new Error('expected the circuit to be open');
}

describe('CircuitBreakers', () => {
  it('stays closed below the threshold and resets on success', () => {
    const { b } = setup();
    b.failed('dep.call', 'Boom');
    b.failed('dep.call', 'Boom');
    b.succeeded('dep.call');
    b.failed('dep.call', 'Boom');
    b.failed('dep.call', 'Boom');
    expect(() => b.admit('dep.call')).not.toThrow();
  });

  it('opens after N consecutive failures and fails fast with the rest of the cool-down as retry delay', () => {
    const { b, clock } = setup();
    for (let i = 0; i < 3; i++) b.failed('dep.call', 'Boom');
    clock.t = 4_000;
    const err = openError(() => b.admit('dep.call'));
    expect(err.type).toBe(CIRCUIT_OPEN);
    expect(err.nonRetryable).toBeFalsy();
    expect(err.nextRetryDelay).toBe(6_000);
  });

  it('lets one trial through after the cool-down; its success closes the circuit', () => {
    const { b, clock } = setup();
    for (let i = 0; i < 3; i++) b.failed('dep.call', 'Boom');
    clock.t = 10_000;
    expect(b.admit('dep.call')).toBe(true);
    // A second attempt while the trial runs still fails fast.
    expect(openError(() => b.admit('dep.call')).type).toBe(CIRCUIT_OPEN);
    b.succeeded('dep.call');
    expect(b.admit('dep.call')).toBe(false);
  });

  it('reopens for a full cool-down when the trial fails', () => {
    const { b, clock } = setup();
    for (let i = 0; i < 3; i++) b.failed('dep.call', 'Boom');
    clock.t = 10_000;
    b.admit('dep.call');
    b.failed('dep.call', 'Boom');
    clock.t = 19_000;
    expect(openError(() => b.admit('dep.call')).nextRetryDelay).toBe(1_000);
  });

  it('ignores activity types without settings, and failures that are bad input', () => {
    const { b } = setup();
    for (let i = 0; i < 10; i++) b.failed('other', 'Boom');
    for (let i = 0; i < 10; i++) b.failed('dep.call', 'WeftInvalidActivityInput');
    expect(() => b.admit('other')).not.toThrow();
    expect(() => b.admit('dep.call')).not.toThrow();
  });
});

/**
 * A circuit breaker per activity type. After `failureThreshold` consecutive
 * failures (across runs) it opens: attempts fail fast with a retryable
 * `WeftCircuitOpen` whose next retry delay is the rest of the cool-down, so
 * Temporal's retry policy waits instead of hammering a broken dependency.
 * When the cool-down ends, one trial attempt goes through (half-open); its
 * success closes the circuit, its failure opens it again.
 *
 * State lives in the memory of each worker process: every worker trips on the
 * failures it sees itself, and a restart closes its circuits.
 */
import { ApplicationFailure } from '@temporalio/common';

export interface BreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before a trial attempt (ms). */
  coolDownMs: number;
}

export const CIRCUIT_OPEN = 'WeftCircuitOpen';

interface Circuit {
  failures: number;
  openUntil?: number;
  trialInFlight: boolean;
}

/** Failures that say nothing about the dependency's health. */
const NOT_COUNTED = new Set(['WeftInvalidActivityInput', CIRCUIT_OPEN]);

export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly settings: Readonly<Record<string, BreakerSettings>>,
    private readonly now: () => number = Date.now,
  ) {}

  private settingsFor(activityType: string): BreakerSettings | undefined {
    return this.settings[activityType] ?? this.settings['*'];
  }

  private circuit(activityType: string): Circuit {
    let c = this.circuits.get(activityType);
    if (!c) {
      c = { failures: 0, trialInFlight: false };
      this.circuits.set(activityType, c);
    }
    return c;
  }

  /** Throws WeftCircuitOpen when the circuit is open; returns whether this call is the half-open trial. */
  admit(activityType: string): boolean {
    const s = this.settingsFor(activityType);
    if (!s) return false;
    const c = this.circuit(activityType);
    if (c.openUntil === undefined) return false;
    const remaining = c.openUntil - this.now();
    if (remaining > 0 || c.trialInFlight) {
      throw ApplicationFailure.create({
        type: CIRCUIT_OPEN,
        message: `circuit open for ${activityType} after ${c.failures} consecutive failures; next trial in ${Math.max(0, Math.ceil(remaining / 1000))}s`,
        nextRetryDelay: Math.max(remaining, 1000),
        details: [{ activityType, failures: c.failures }],
      });
    }
    c.trialInFlight = true;
    return true;
  }

  succeeded(activityType: string): void {
    const c = this.circuits.get(activityType);
    if (!c) return;
    c.failures = 0;
    c.trialInFlight = false;
    delete c.openUntil;
  }

  failed(activityType: string, errorType: string | undefined): void {
    const s = this.settingsFor(activityType);
    if (!s || (errorType && NOT_COUNTED.has(errorType))) return;
    const c = this.circuit(activityType);
    c.failures++;
    c.trialInFlight = false;
    if (c.failures >= s.failureThreshold) c.openUntil = this.now() + s.coolDownMs;
  }

  /** For status and tests: open circuits and their failure counts. */
  snapshot(): Record<string, { failures: number; open: boolean }> {
    return Object.fromEntries([...this.circuits].map(([k, c]) => [k, { failures: c.failures, open: c.openUntil !== undefined }]));
  }
}

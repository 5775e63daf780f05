/**
 * Client-side tracing: with tracing on, every workflow start, signal, update
 * and query made through a Weft client (API, CLI, outbox relay, a user's
 * handler) opens a span and carries its context in the Temporal headers, so
 * the run's workflow span joins the caller's trace.
 */
import type { ClientInterceptors } from '@temporalio/client';
import { activeTracing } from './tracing';

/** The interceptors for `new Client(...)`; undefined when tracing is off, so an untraced client pays nothing. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  const tracing = activeTracing();
  if (!tracing) return undefined;
  return { workflow: [new tracing.temporal.OpenTelemetryWorkflowClientInterceptor()] };
}

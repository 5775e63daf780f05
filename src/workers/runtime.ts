/**
 * Installs the Temporal Runtime once per process: its logs (and core's) go
 * into pino, shaped so they read well (see PinoTemporalLogger), Weft handles
 * signals itself so shutdown is ordered, and the SDK's own metrics are
 * served on a loopback port and appended to the process's /metrics.
 */
import { Runtime } from '@temporalio/worker';
import type { Logger } from '../common/logger';
import { freePort } from '../temporal/dev-server';
import { addMetricsText } from '../telemetry/metrics';
import { PinoTemporalLogger } from '../telemetry/temporal-logger';

export { PinoTemporalLogger };

export interface RuntimeSetup {
  logger: Logger;
  /** Export the SDK's metrics (worker slots, poll and task latencies) with the process's. @defaultValue true */
  sdkMetrics?: boolean;
}

let installed = false;

export async function installRuntime({ logger, sdkMetrics = true }: RuntimeSetup): Promise<void> {
  if (installed) return;
  installed = true;
  const coreLevel = logger.level === 'trace' ? 'TRACE' : logger.level === 'debug' ? 'DEBUG' : 'WARN';
  // Core serves Prometheus text on its own port; binding it to loopback and merging it keeps one scrape target.
  const sdkAddress = sdkMetrics ? `127.0.0.1:${await freePort()}` : undefined;
  Runtime.install({
    logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: coreLevel, other: 'WARN' }, forward: {} },
      ...(sdkAddress ? { metrics: { prometheus: { bindAddress: sdkAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } } } : {}),
    },
  });
  if (sdkAddress) {
    addMetricsText(async () => {
      const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? res.text() : '';
    });
  }
}

/**
 * A side-effect ledger: an HTTP server on 127.0.0.1 that applies each POST
 * once per Idempotency-Key, the way a payment API does, and counts what it
 * saw. A key applied twice, or an expected key never applied, is what the
 * fault suite looks for.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LedgerCounts {
  /** Distinct keys applied. */
  applied: number;
  /** Requests that repeated a key already applied (retries the key absorbed). */
  redeliveries: number;
  /** Requests without a key: each would be a duplicate side effect. */
  withoutKey: number;
}

export class Ledger {
  /** Key → times a request carrying it arrived. */
  readonly seen = new Map<string, number>();
  /** Key → time it was first applied (ms since epoch). */
  readonly appliedAt = new Map<string, number>();
  private withoutKey = 0;
  private server?: Server;
  url = '';

  async start(delayMs = 10): Promise<string> {
    this.server = createServer((req, res) => {
      const key = req.headers['idempotency-key'];
      req.resume();
      req.on('end', () => {
        // A short delay keeps requests in flight long enough for a kill to land mid-call.
        setTimeout(() => {
          if (typeof key !== 'string' || key.length === 0) {
            this.withoutKey++;
          } else {
            this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
            if (!this.appliedAt.has(key)) this.appliedAt.set(key, Date.now());
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        }, delayMs);
      });
    });
    // Many workers' sockets at once; the defaults would make the ledger the bottleneck.
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  counts(): LedgerCounts {
    let redeliveries = 0;
    for (const n of this.seen.values()) redeliveries += n - 1;
    return { applied: this.appliedAt.size, redeliveries, withoutKey: this.withoutKey };
  }

  /** First application at or after `t`, if any. */
  firstAppliedSince(t: number): number | undefined {
    let first: number | undefined;
    for (const at of this.appliedAt.values()) if (at >= t && (first === undefined || at < first)) first = at;
    return first;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

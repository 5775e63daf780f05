/** Turns the `temporal.tls` setting into the SDK's TLS options, reading the files it names. */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { WeftConfig } from './schema';
import { ConfigError } from './load';

type TlsDetails = Exclude<WeftConfig['temporal']['tls'], boolean>;
type Pem = 'serverRootCaCert' | 'clientCert' | 'clientKey';

/** A PEM given as a file or inline; giving both is ambiguous, so it is refused. */
function pem(tls: TlsDetails, key: Pem): Buffer | undefined {
  const path = tls[`${key}Path`];
  const data = tls[`${key}Data`];
  if (path && data) {
    throw new ConfigError([{ path: `temporal.tls.${key}Path`, message: `give ${key}Path or ${key}Data, not both`, source: 'config' }]);
  }
  if (data) return Buffer.from(data);
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([{ path: `temporal.tls.${key}Path`, message: `cannot read ${path}: ${(err as Error).message}`, source: 'file path' }]);
  }
}

export function tlsOptions(tls: WeftConfig['temporal']['tls']): TLSConfig | boolean {
  if (typeof tls === 'boolean') return tls;
  const [ca, crt, key] = [pem(tls, 'serverRootCaCert'), pem(tls, 'clientCert'), pem(tls, 'clientKey')];
  if (Boolean(crt) !== Boolean(key)) {
    throw new ConfigError([{ path: 'temporal.tls', message: 'the client certificate and key must be given together', source: 'config' }]);
  }
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
  };
}

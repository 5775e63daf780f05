/** Turns the `temporal.tls` setting into the SDK's TLS options, reading the files it names. */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { WeftConfig } from './schema';
import { ConfigError } from './load';

function read(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError([{ path: `temporal.tls.${key}`, message: `cannot read ${path}: ${(err as Error).message}`, source: 'file path' }]);
  }
}

export function tlsOptions(tls: WeftConfig['temporal']['tls']): TLSConfig | boolean {
  if (typeof tls === 'boolean') return tls;
  if (Boolean(tls.clientCertPath) !== Boolean(tls.clientKeyPath)) {
    throw new ConfigError([{ path: 'temporal.tls', message: 'clientCertPath and clientKeyPath must be given together', source: 'config' }]);
  }
  return {
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    ...(tls.serverRootCaCertPath ? { serverRootCACertificate: read(tls.serverRootCaCertPath, 'serverRootCaCertPath') } : {}),
    ...(tls.clientCertPath && tls.clientKeyPath
      ? { clientCertPair: { crt: read(tls.clientCertPath, 'clientCertPath'), key: read(tls.clientKeyPath, 'clientKeyPath') } }
      : {}),
  };
}

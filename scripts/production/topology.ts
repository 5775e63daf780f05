/**
 * The shape of the production deployment, shared by the test layer that runs
 * it and the unit test that checks docker-compose.yml against it.
 */

/** Temporal's services, each its own process (test layer) or container (compose). */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/** The server config Weft ships, and where the server reads it (relative to its --root). */
export const SERVER_CONFIG = { file: 'deploy/temporal/config/production.yaml', mountedAt: 'config/production.yaml', env: 'production' } as const;
/** The dynamic config, and the path production.yaml names by default. */
export const DYNAMIC_CONFIG = { file: 'deploy/temporal/dynamicconfig.yaml', mountedAt: 'config/dynamicconfig/weft.yaml' } as const;

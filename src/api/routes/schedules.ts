/**
 * SCHEDULES ROUTES: reserved spot for the schedules CRUD routes, to be built
 * on src/client/schedules.ts (another engineer owns both).
 *
 * Add each route with `table.add({...})` under `/v1/schedules`, with zod
 * schemas in this file or in ../schemas.ts. A route added here gets what
 * every route gets: bearer auth, request validation with 400s that name each
 * path, the error shape, metrics, the Temporal deadline, and an entry in
 * /openapi.json. Map the schedules client's own errors in ../errors.ts
 * (for example, not found → 404, already exists → 409).
 */
import type { ApiContext } from '../context';
import type { RouteTable } from '../route';

export function registerScheduleRoutes(_table: RouteTable, _ctx: ApiContext): void {
  // Intentionally empty until src/client/schedules.ts lands.
}

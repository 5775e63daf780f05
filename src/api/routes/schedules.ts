/** /v1/schedules: the Temporal Schedules Weft manages, over WeftSchedules. */
import { z } from 'zod';
import type { ApiContext } from '../context';
import type { RouteTable } from '../route';
import { errorResponseSchema } from '../schemas';
import { OVERLAP_POLICIES, WeftSchedules, type ScheduleInput } from '../../client/schedules';

const idParams = z.object({ id: z.string().min(1).max(200) });
const view = z.record(z.string(), z.unknown()).describe('The schedule: id, dag, spec, state (paused, note), info (next and recent actions)');
const noteBody = z.object({ note: z.string().max(2000).optional() }).strict().default({});
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const notFound = { description: 'No Weft-managed schedule with this id', schema: errorResponseSchema };

export function registerScheduleRoutes(table: RouteTable, { weft }: ApiContext): void {
  const schedules = new WeftSchedules(weft);

  table.add({
    method: 'GET',
    url: '/v1/schedules',
    operationId: 'listSchedules',
    tag: 'schedules',
    summary: 'List the schedules Weft manages',
    responses: { 200: { description: 'The schedules', schema: z.object({ schedules: z.array(view) }) } },
    handler: async () => ({ schedules: await schedules.list() }),
  });

  table.add({
    method: 'GET',
    url: '/v1/schedules/:id',
    operationId: 'getSchedule',
    tag: 'schedules',
    summary: 'One schedule, with its next and recent actions',
    params: idParams,
    responses: { 200: { description: 'The schedule', schema: view }, 404: notFound },
    handler: async ({ params }) => schedules.describe(params.id),
  });

  table.add({
    method: 'POST',
    url: '/v1/schedules',
    operationId: 'createSchedule',
    tag: 'schedules',
    summary: 'Create one schedule (the fields of one entry of schedules.yaml)',
    body: z.record(z.string(), z.unknown()),
    responses: {
      201: { description: 'Created', schema: view },
      400: { description: 'Invalid schedule, each problem with its path', schema: errorResponseSchema },
      409: { description: 'A schedule with this id exists', schema: errorResponseSchema },
    },
    handler: async ({ body, reply }) => reply.code(201).send(await schedules.create(body as unknown as ScheduleInput)),
  });

  table.add({
    method: 'POST',
    url: '/v1/schedules/apply',
    operationId: 'applySchedules',
    tag: 'schedules',
    summary: 'Apply a schedules file (as JSON): create, update and with prune delete, like weft schedules apply',
    body: z.object({ file: z.record(z.string(), z.unknown()), dryRun: z.boolean().optional(), prune: z.boolean().optional() }).strict(),
    responses: { 200: { description: 'The plan and what was done', schema: z.record(z.string(), z.unknown()) }, 400: { description: 'Invalid schedules file', schema: errorResponseSchema } },
    handler: async ({ body }) => schedules.apply(body.file, { ...(body.dryRun !== undefined ? { dryRun: body.dryRun } : {}), ...(body.prune !== undefined ? { prune: body.prune } : {}) }),
  });

  for (const action of ['pause', 'unpause'] as const) {
    table.add({
      method: 'POST',
      url: `/v1/schedules/:id/${action}`,
      operationId: `${action}Schedule`,
      tag: 'schedules',
      summary: action === 'pause' ? 'Pause a schedule' : 'Unpause a schedule',
      params: idParams,
      body: noteBody,
      responses: { 200: { description: 'The schedule', schema: view }, 404: notFound },
      handler: async ({ params, body }) => schedules[action](params.id, body.note),
    });
  }

  table.add({
    method: 'POST',
    url: '/v1/schedules/:id/trigger',
    operationId: 'triggerSchedule',
    tag: 'schedules',
    summary: 'Start a run of the schedule now',
    params: idParams,
    body: z.object({ overlap: z.enum(OVERLAP_POLICIES).optional() }).strict().default({}),
    responses: { 202: { description: 'Triggered; the action, when it appeared in time', schema: z.object({ action: z.unknown() }) }, 404: notFound },
    handler: async ({ params, body, reply }) => reply.code(202).send({ action: (await schedules.trigger(params.id, body.overlap, { waitMs: 10_000 })) ?? null }),
  });

  table.add({
    method: 'POST',
    url: '/v1/schedules/:id/backfill',
    operationId: 'backfillSchedule',
    tag: 'schedules',
    summary: 'Run the schedule for the times it would have fired in a window',
    params: idParams,
    body: z.object({ start: isoTime, end: isoTime, overlap: z.enum(OVERLAP_POLICIES).optional() }).strict(),
    responses: { 202: { description: 'Backfill requested', schema: z.object({ id: z.string(), backfill: z.object({ start: z.string(), end: z.string() }) }) }, 404: notFound },
    handler: async ({ params, body, reply }) => {
      await schedules.backfill(params.id, new Date(body.start), new Date(body.end), body.overlap);
      return reply.code(202).send({ id: params.id, backfill: { start: body.start, end: body.end } });
    },
  });

  table.add({
    method: 'DELETE',
    url: '/v1/schedules/:id',
    operationId: 'deleteSchedule',
    tag: 'schedules',
    summary: 'Delete a schedule (runs it started are kept)',
    params: idParams,
    responses: { 204: { description: 'Deleted' }, 404: notFound },
    handler: async ({ params, reply }) => {
      await schedules.delete(params.id);
      return reply.code(204).send();
    },
  });
}

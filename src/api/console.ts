/**
 * The web console at /ui: its static files (built by `npm run build:console`
 * into console/dist), the sign-in that turns a token into an httpOnly cookie,
 * and the console's own data routes. The files are public (they hold no
 * data); everything they fetch goes through the API's auth, which accepts the
 * cookie (auth.ts, authorizationOf), so no token is ever put in a URL.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE, authorizationOf } from './auth';
import type { ApiContext } from './context';
import { ApiError, ERROR_CODES } from './errors';
import type { RouteTable } from './route';
import { errorResponseSchema } from './schemas';
import { registerConsoleRunRoutes } from './routes/console-runs';
import { registerConsoleRunDetailRoutes } from './routes/console-run';
import { PackedDagCache, registerConsoleDagRoutes } from './routes/console-dags';

/** Where `npm run build:console` writes; the same two levels up from src/api and dist/api. */
export const CONSOLE_DIST = join(__dirname, '..', '..', 'console', 'dist');
/** How long a console sign-in lasts. */
const SESSION_SECONDS = 12 * 3600;

/**
 * Scripts and styles only from /ui itself; inline style attributes are allowed
 * because the graph library positions nodes with them.
 */
const CSP = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const sessionSchema = z.object({
  authRequired: z.boolean(),
  signedIn: z.boolean(),
  namespace: z.string(),
  /** The Temporal UI, when known (WEFT_TEMPORAL_UI_URL; `weft dev` sets it). */
  temporalUiUrl: z.string().optional(),
});

function sessionCookie(request: FastifyRequest, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

function registerSessionRoutes(table: RouteTable, ctx: ApiContext, authorized: ((authorization: string | undefined) => boolean) | undefined): void {
  table.add({
    method: 'GET',
    url: '/v1/console/session',
    operationId: 'consoleSession',
    tag: 'console',
    summary: 'Whether the console must ask for a token, and whether this browser is signed in',
    public: true,
    responses: { 200: { description: 'The session', schema: sessionSchema } },
    handler: async ({ request }) => {
      const ui = process.env.WEFT_TEMPORAL_UI_URL;
      return {
        authRequired: authorized !== undefined,
        signedIn: authorized === undefined || authorized(authorizationOf(request.headers)),
        namespace: ctx.weft.temporal.options.namespace,
        ...(ui ? { temporalUiUrl: ui.replace(/\/+$/, '') } : {}),
      };
    },
  });

  table.add({
    method: 'POST',
    url: '/v1/console/session',
    operationId: 'consoleSignIn',
    tag: 'console',
    summary: 'Sign the console in: checks the token and sets it as an httpOnly, SameSite=Strict cookie',
    public: true,
    body: z.object({ token: z.string().min(1).max(4096) }).strict(),
    responses: { 204: { description: 'Signed in; Set-Cookie holds the session', headers: { 'Set-Cookie': 'weft_token, httpOnly' } }, 401: { description: 'The token is not valid', schema: errorResponseSchema } },
    handler: async ({ body, request, reply }) => {
      if (authorized && !authorized(`Bearer ${body.token}`)) throw new ApiError(401, ERROR_CODES.UNAUTHORIZED, 'the token is not valid');
      if (authorized) void reply.header('set-cookie', sessionCookie(request, body.token, SESSION_SECONDS));
      return reply.code(204).send();
    },
  });

  table.add({
    method: 'DELETE',
    url: '/v1/console/session',
    operationId: 'consoleSignOut',
    tag: 'console',
    summary: 'Sign the console out (clears the cookie)',
    public: true,
    responses: { 204: { description: 'Signed out' } },
    handler: async ({ request, reply }) => reply.code(204).header('set-cookie', sessionCookie(request, '', 0)).send(),
  });
}

/** A file under the console's dist folder for this path, or index.html (the app routes on the client). */
function fileFor(path: string): string {
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(path.replace(/^\/ui\/?/, '').split('?')[0] ?? ''));
  } catch {
    // A malformed escape names no file; the app shows its own "not found".
    return 'index.html';
  }
  if (rel && rel !== '.' && !rel.startsWith('..') && !rel.includes(`${sep}..`)) {
    const full = join(CONSOLE_DIST, rel);
    if (existsSync(full) && statSync(full).isFile()) return rel;
  }
  return 'index.html';
}

function serveFiles(app: FastifyInstance): void {
  const built = existsSync(join(CONSOLE_DIST, 'index.html'));
  if (built) void app.register(fastifyStatic, { root: CONSOLE_DIST, serve: false, cacheControl: false });
  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!built) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The Weft console is not built. Run: npm run build:console');
    }
    const file = fileFor(request.url);
    const cache = file.startsWith(`assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    return reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('cache-control', cache).sendFile(file);
  };
  app.get('/ui', { config: { public: true } }, async (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui/*', { config: { public: true } }, page);
}

/** Registers the console: its files at /ui and its routes under /v1/console. */
export function registerConsole(app: FastifyInstance, table: RouteTable, ctx: ApiContext, authorized: ((authorization: string | undefined) => boolean) | undefined): void {
  serveFiles(app);
  registerSessionRoutes(table, ctx, authorized);
  registerConsoleRunRoutes(table, ctx);
  // One cache for both: a run's DAG and its plan are the same packed JSON.
  const dags = new PackedDagCache();
  registerConsoleRunDetailRoutes(table, ctx, dags);
  registerConsoleDagRoutes(table, ctx, dags);
}

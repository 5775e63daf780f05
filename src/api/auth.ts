/**
 * Bearer-token auth for the API: `Authorization: Bearer <token>`, checked by
 * the constant-time matcher the codec server shares (src/common/bearer.ts).
 */
import { bearerMatcher } from '../common/bearer';
import { ERROR_KINDS } from '../errors/kinds';
import { WeftError } from '../errors/weft-error';

export type ApiAuth = { tokens: readonly string[] } | { insecureNoAuth: true };

/** `weft api` was asked to run with no way to authenticate callers. */
export class ApiAuthConfigError extends WeftError {
  override readonly name = 'ApiAuthConfigError';
  readonly kind = ERROR_KINDS.MISCONFIGURED;
  constructor() {
    super(
      'the HTTP API needs at least one token: set WEFT_API_TOKEN (comma-separated for several, each at least 16 characters), ' +
        'for example WEFT_API_TOKEN=$(openssl rand -hex 32), or set api.tokens in the config file. ' +
        'For local use only, --insecure-no-auth turns auth off.',
    );
  }
}

/**
 * A checker for the Authorization header, or undefined when auth is off.
 * Throws ApiAuthConfigError when no token is configured and auth is not
 * explicitly off.
 */
export function bearerChecker(auth: ApiAuth): ((authorization: string | undefined) => boolean) | undefined {
  if ('insecureNoAuth' in auth && auth.insecureNoAuth) return undefined;
  const tokens = 'tokens' in auth ? auth.tokens.filter((t) => t.length > 0) : [];
  if (tokens.length === 0) throw new ApiAuthConfigError();
  return bearerMatcher(tokens);
}

/** Name of the cookie the console's sign-in sets (see ./console.ts). */
export const SESSION_COOKIE = 'weft_token';

/**
 * The Authorization header to check: the request's own, else a bearer made
 * from the console's httpOnly session cookie. Browsers can't put headers on
 * an EventSource, so the console's event streams rely on the cookie.
 */
export function authorizationOf(headers: { authorization?: string | undefined; cookie?: string | undefined }): string | undefined {
  if (headers.authorization) return headers.authorization;
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return value ? `Bearer ${decodeURIComponent(value)}` : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

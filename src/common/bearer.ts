/**
 * The one bearer-token check, shared by the HTTP API and the codec server:
 * `Authorization: Bearer <token>` against every configured token. Each
 * comparison is constant-time, and all tokens are always compared (no early
 * exit), so the answer's timing says nothing about which token, or how much
 * of a guess, was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

// Hashing first gives equal-length buffers, which timingSafeEqual needs, and hides the tokens' lengths.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** A check of an Authorization header against `tokens` (which must not be empty: the caller decides what no tokens means). */
export function bearerMatcher(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  if (tokens.length === 0) throw new RangeError('bearerMatcher: expected at least one token');
  const expected = tokens.map(digest);
  return (authorization) => {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!m) return false;
    const given = digest(m[1]!);
    let ok = false;
    // `||` after the comparison, so every token is compared whatever the earlier ones gave.
    for (const e of expected) ok = timingSafeEqual(e, given) || ok;
    return ok;
  };
}

/**
 * The token prompt of `weft api`. The token is POSTed once; the API answers
 * with an httpOnly cookie, so the page never keeps it and it never appears in
 * a URL.
 */
import { useState } from 'react';
import { api, ApiCallError } from './api';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }): React.JSX.Element {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = (e: React.FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api('POST', '/v1/console/session', { token }).then(
      () => {
        setToken('');
        onSignedIn();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof ApiCallError && err.status === 401 ? 'That token is not valid.' : String(err));
      },
    );
  };

  return (
    <form className="signin" onSubmit={submit} aria-label="Sign in">
      <h1>Weft console</h1>
      <p>This API requires a token (WEFT_API_TOKEN).</p>
      <label>
        API token
        <input type="password" name="token" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
      </label>
      <button type="submit" disabled={busy || !token}>
        Sign in
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

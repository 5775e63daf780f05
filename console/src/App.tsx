/**
 * The console's frame: it asks the API whether a token is needed, shows the
 * sign-in prompt until the session cookie is set, then the page of the URL.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, onUnauthorized } from './api';
import { SignIn } from './SignIn';
import { linkProps, useRoute, type Route } from './router';
import type { Session } from './types';
import { RunsPage } from './pages/RunsPage';
import { RunPage } from './pages/RunPage';
import { DagsPage } from './pages/DagsPage';
import { SchedulesPage } from './pages/SchedulesPage';
import { QueuesPage } from './pages/QueuesPage';

const NAV: { label: string; route: Route }[] = [
  { label: 'Runs', route: { page: 'runs' } },
  { label: 'DAGs', route: { page: 'dags' } },
  { label: 'Schedules', route: { page: 'schedules' } },
  { label: 'Queues', route: { page: 'queues' } },
];

export function App(): React.JSX.Element {
  const route = useRoute();
  const [session, setSession] = useState<Session | undefined>();
  const [error, setError] = useState<string | undefined>();

  const refresh = useCallback(() => {
    api<Session>('GET', '/v1/console/session').then(setSession, (e: Error) => setError(e.message));
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => onUnauthorized(() => setSession((s) => (s ? { ...s, signedIn: false } : s))), []);

  if (error) return <p className="error">The Weft API did not answer: {error}</p>;
  if (!session) return <p className="muted">Loading…</p>;
  if (!session.signedIn) return <SignIn onSignedIn={refresh} />;

  const signOut = (): void => void api('DELETE', '/v1/console/session').then(refresh);
  const current = route.page === 'run' ? 'runs' : route.page;
  return (
    <div className="app">
      <header className="top">
        <strong className="brand">Weft</strong>
        <nav>
          {NAV.map((n) => (
            <a key={n.label} {...linkProps(n.route)} className={n.route.page === current ? 'active' : ''}>
              {n.label}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <span className="muted">namespace {session.namespace}</span>
        {session.authRequired && (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main>
        {route.page === 'runs' && <RunsPage />}
        {route.page === 'run' && <RunPage key={route.id} id={route.id} session={session} />}
        {route.page === 'dags' && <DagsPage name={route.name} />}
        {route.page === 'schedules' && <SchedulesPage />}
        {route.page === 'queues' && <QueuesPage />}
      </main>
    </div>
  );
}

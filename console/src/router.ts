/**
 * A small History-API router: the console has five pages and needs no more.
 * Paths live under /ui/ (the API serves index.html for any of them), and no
 * token or secret ever goes into one.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'dags'; name?: string }
  | { page: 'schedules' }
  | { page: 'queues' };

export const BASE = '/ui';

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts.slice(1).join('/') };
  if (parts[0] === 'dags') return parts[1] ? { page: 'dags', name: parts[1] } : { page: 'dags' };
  if (parts[0] === 'schedules') return { page: 'schedules' };
  if (parts[0] === 'queues') return { page: 'queues' };
  return { page: 'runs' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'runs':
      return `${BASE}/`;
    case 'run':
      return `${BASE}/runs/${encodeURIComponent(route.id)}`;
    case 'dags':
      return route.name ? `${BASE}/dags/${encodeURIComponent(route.name)}` : `${BASE}/dags`;
    case 'schedules':
      return `${BASE}/schedules`;
    case 'queues':
      return `${BASE}/queues`;
  }
}

const CHANGE = 'weft:navigate';

export function navigate(route: Route): void {
  window.history.pushState(null, '', hrefOf(route));
  window.dispatchEvent(new Event(CHANGE));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return route;
}

/** An anchor that navigates without reloading, and still opens in a new tab on middle-click. */
export function linkProps(route: Route): { href: string; onClick: (e: React.MouseEvent) => void } {
  return {
    href: hrefOf(route),
    onClick: (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      navigate(route);
    },
  };
}

import { useCallback, useEffect, useState, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

// A small history router under /admin: pages and their filters live in the URL (never the token).

export const BASE = '/admin';

const listeners = new Set<() => void>();
function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}
const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to}`;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
}

/** The current path below /admin (`/events/abc`) and its query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const location = useSyncExternalStore(subscribe, snapshot);
  const [pathname = '', search = ''] = location.split('?');
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) || '/' : pathname;
  return { path: path === '' ? '/' : path, query: new URLSearchParams(search) };
}

/** Filters kept in the query string: reading them, and replacing them all at once. */
export function useQueryState(): [URLSearchParams, (next: Record<string, string | undefined>) => void] {
  const { path, query } = useLocation();
  const set = useCallback(
    (next: Record<string, string | undefined>) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(next)) if (value !== undefined && value !== '') params.set(key, value);
      const text = params.toString();
      navigate(`${path}${text === '' ? '' : `?${text}`}`, { replace: true });
    },
    [path],
  );
  return [query, set];
}

export function Link({ to, ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const href = `${BASE}${to}`;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...props} href={href} onClick={onClick} />;
}

/** Re-renders every `ms` while the tab is visible (for "live" pages). */
export function useTicker(ms: number, enabled: boolean): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, ms);
    return () => window.clearInterval(id);
  }, [ms, enabled]);
  return tick;
}

/**
 * A filter kept in the query string: each of `empty`'s keys read from it ('' when absent), and
 * a setter that writes the filter back (empty values left out).
 */
export function useQueryFilter<T extends Record<string, string>>(empty: T): [T, (next: T) => void] {
  const [query, setQuery] = useQueryState();
  const applied = Object.fromEntries(Object.keys(empty).map((key) => [key, query.get(key) ?? ''])) as T;
  return [applied, setQuery];
}

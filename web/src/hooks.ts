import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorText, type Page } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** GET `path` (null: nothing to load), again when `path` or `key` changes or on `reload()`. */
export function useApi<T>(path: string | null, key: unknown = null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    api<T>(path, { signal: controller.signal })
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(errorText(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, key, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}

/**
 * A keyset-paginated list: `path` without cursor; `next()` and `previous()` walk the pages
 * (the cursors seen so far are kept, so going back needs no offset).
 */
export function usePaged<T>(path: string | null, key: unknown = null) {
  const [cursors, setCursors] = useState<string[]>([]);
  const pathRef = useRef(path);
  if (pathRef.current !== path) {
    pathRef.current = path;
    if (cursors.length > 0) setCursors([]);
  }
  const cursor = cursors[cursors.length - 1];
  const full = path === null ? null : cursor === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
  const loaded = useApi<Page<T>>(full, key);
  return {
    ...loaded,
    items: loaded.data?.items ?? [],
    page: cursors.length + 1,
    hasNext: (loaded.data?.nextCursor ?? null) !== null,
    hasPrevious: cursors.length > 0,
    next: () => {
      const nextCursor = loaded.data?.nextCursor;
      if (nextCursor) setCursors((c) => [...c, nextCursor]);
    },
    previous: () => setCursors((c) => c.slice(0, -1)),
    first: () => setCursors([]),
  };
}

/** Runs an action, keeping its busy state and error in words. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(errorText(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/**
 * A filter form's draft: edited freely, applied on submit (through `prepare`, e.g. trimmed) or at
 * once with `applyNow` (a date range), and started again from the filter in force whenever that
 * changes (the URL's query string: back, forward, a link).
 */
export function useFilterDraft<F>(applied: F, apply: (next: F) => void, prepare: (draft: F) => F = (draft) => draft) {
  const [draft, setDraft] = useState(applied);
  const appliedKey = JSON.stringify(applied);
  useEffect(() => setDraft(JSON.parse(appliedKey) as F), [appliedKey]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(prepare(draft));
  };
  const applyNow = (next: F) => {
    setDraft(next);
    apply(next);
  };
  return { draft, setDraft, submit, applyNow };
}

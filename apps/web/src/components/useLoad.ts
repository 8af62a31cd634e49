import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client';

/** Loads data on mount and on reload(); exposes the error message if any. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    run()
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e) => setError(e instanceof ApiError ? e.body.message : 'Could not load'));
  }, [run]);
  useEffect(reload, [reload]);
  return { data, error, reload };
}

/** Runs a form submission and keeps the server's error (with per-field problems). */
export function useSubmit() {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, { statusCode: 0, code: 'NETWORK', message: 'The hub cannot be reached', errorId: '' }));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit, problems: (field: string) => error?.fieldProblems(field) ?? [] };
}

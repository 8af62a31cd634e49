import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';

/** Loads data on mount and on reload() (which resolves once the new data is in); exposes the error message if any. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(
    () =>
      run()
        .then((d) => {
          setData(d);
          setError(null);
        })
        .catch((e) => setError(errorMessage(e, 'Could not load'))),
    [run],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

/** Runs a form submission and keeps the server's error (with per-field problems). */
export function useSubmit() {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, { statusCode: 0, code: 'CLIENT', message: errorMessage(e), errorId: '' }));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit, problems: (field: string) => error?.fieldProblems(field) ?? [] };
}

/**
 * Optimistic on/off switches: the new value shows at once (slow links) and falls back to the server's value once the
 * change is saved and reloaded, or refused.
 */
export function usePending() {
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const value = (id: string, actual: boolean) => pending[id] ?? actual;
  const run = async (id: string, next: boolean, save: () => Promise<unknown>) => {
    setPending((p) => ({ ...p, [id]: next }));
    try {
      await save();
    } finally {
      setPending(({ [id]: _done, ...rest }) => rest);
    }
  };
  return { value, run };
}

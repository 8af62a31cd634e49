import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../api/client';
import { fieldProblemTexts } from '../i18n/errors';

/** Runs a form submission and keeps the server's error (with per-field problems in the reader's language). */
export function useSubmit() {
  const { t } = useTranslation();
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
  return { error, busy, submit, problems: (field: string) => fieldProblemTexts(t, error, field) };
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

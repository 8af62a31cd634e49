import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuth } from '../auth/AuthContext';
import { newKey, offlineDb } from './db';

/** Keystrokes are written to IndexedDB this long after the last one (and at once when the page is hidden). */
const SAVE_DELAY_MS = 250;

/**
 * A form's values kept on this device as the user types (IndexedDB, per user and form), with the idempotency key of
 * the action the form will become. Returns the values, a setter, when they were last saved, and `clear()` for after
 * sending. The stored draft replaces the initial values once read, unless the user has already typed.
 */
export function useDraft<T extends object>(form: string, initial: T) {
  const { user } = useAuth();
  const id = user ? `${user.id}:${form}` : null;
  const [value, setValue] = useState<T>(initial);
  const [key, setKey] = useState<string>(newKey);
  const [savedAt, setSavedAt] = useState<Date | null>(null);
  const [loaded, setLoaded] = useState(false);
  const typed = useRef(false);
  const pending = useRef<{ value: T; key: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    typed.current = false;
    setLoaded(false);
    void offlineDb.drafts.get(id).then((row) => {
      if (cancelled) return;
      if (row && !typed.current) {
        setValue({ ...initial, ...(row.value as T) });
        setKey(row.key);
        setSavedAt(new Date(row.updatedAt));
      }
      setLoaded(true);
    });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  const write = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const next = pending.current;
    pending.current = null;
    if (!next || !id || !user) return;
    const updatedAt = Date.now();
    await offlineDb.drafts.put({ id, userId: user.id, form, value: next.value, key: next.key, updatedAt });
    setSavedAt(new Date(updatedAt));
  }, [id, user, form]);

  // Leaving the page or the tab: write what is pending now rather than after the delay.
  useEffect(() => {
    const now = () => void write();
    window.addEventListener('pagehide', now);
    document.addEventListener('visibilitychange', now);
    return () => {
      window.removeEventListener('pagehide', now);
      document.removeEventListener('visibilitychange', now);
      void write();
    };
  }, [write]);

  const update = useCallback(
    (next: T | ((prev: T) => T)) => {
      typed.current = true;
      setValue((prev) => {
        const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
        pending.current = { value: v, key };
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => void write(), SAVE_DELAY_MS);
        return v;
      });
    },
    [key, write],
  );

  /** After the action went through: forget the draft and start a new action with a new key. */
  const clear = useCallback(async () => {
    pending.current = null;
    if (timer.current) clearTimeout(timer.current);
    typed.current = false;
    setValue(initial);
    setKey(newKey());
    setSavedAt(null);
    if (id) await offlineDb.drafts.delete(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  /** After the hub refused the action: the corrected form will be a new action, with a new key. */
  const renewKey = useCallback(async () => {
    const k = newKey();
    setKey(k);
    if (id) await offlineDb.drafts.update(id, { key: k });
  }, [id]);

  return { value, set: update, key, draftId: id, savedAt, loaded, clear, renewKey, flush: write };
}

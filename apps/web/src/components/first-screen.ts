import { useEffect, useState } from 'react';

/**
 * On a slow link the first signed-in screen should not share the link with work that can wait: the outbox panel
 * (IndexedDB, tus), the notifications socket and the service worker's precache start once a signed-in screen has
 * been shown (its code and data have arrived), not while it loads.
 */
let shown = false;
const waiting = new Set<() => void>();

/** Called when a signed-in screen has been shown (the `Protected` route wrapper, once its screen has rendered). */
export function firstScreenShown(): void {
  if (shown) return;
  shown = true;
  for (const fn of [...waiting]) fn();
  waiting.clear();
}

/** Runs `fn` once the first signed-in screen has been shown (at once if it has); returns a cancel function. */
export function afterFirstScreen(fn: () => void): () => void {
  if (shown) {
    fn();
    return () => undefined;
  }
  waiting.add(fn);
  return () => void waiting.delete(fn);
}

/** True once the first signed-in screen has been shown. */
export function useAfterFirstScreen(): boolean {
  const [ready, setReady] = useState(shown);
  useEffect(() => afterFirstScreen(() => setReady(true)), []);
  return ready;
}

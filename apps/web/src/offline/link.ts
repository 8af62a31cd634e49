/**
 * What the app knows of the link to the hub: lost when a request cannot reach it, back when the browser says it is
 * online again or when any request gets an answer. Uploads and the outbox wait on `onLinkBack` to resume at once.
 */
type Listener = () => void;

let down = typeof navigator !== 'undefined' && navigator.onLine === false;
const backListeners = new Set<Listener>();
const changeListeners = new Set<Listener>();

function set(next: boolean) {
  if (down === next) return;
  down = next;
  changeListeners.forEach((l) => l());
  if (!down) backListeners.forEach((l) => l());
}

export const link = {
  isDown: () => down,
  /** A request failed without an answer. */
  lost: () => set(true),
  /** A request got an answer (any status): the hub is reachable. */
  ok: () => set(false),
  /** Called each time the link comes back. Returns the unsubscribe function. */
  onBack(fn: Listener): () => void {
    backListeners.add(fn);
    return () => backListeners.delete(fn);
  },
  onChange(fn: Listener): () => void {
    changeListeners.add(fn);
    return () => changeListeners.delete(fn);
  },
};

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    // The browser sees a network again: tell the waiting uploads and the outbox, even if they believed it was up.
    down = true;
    set(false);
  });
  window.addEventListener('offline', () => set(true));
}

/** Waits `ms`, or less if the link comes back first. */
export function waitForLinkOr(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const off = link.onBack(done);
  });
}

import { useEffect, useState, useSyncExternalStore } from 'react';
import { CallClient, CallOptions, CallState } from './CallClient';

declare global {
  interface Window {
    /** The live call of this tab, for diagnostics and the browser tests (getStats, link loss). */
    __call?: CallClient;
  }
}

const IDLE: CallState | null = null;

/** One CallClient for the lifetime of the component: started on mount, closed on unmount (the server closes the peer). */
export function useCall(options: CallOptions | null): { client: CallClient | null; state: CallState | null } {
  const [client, setClient] = useState<CallClient | null>(null);
  const key = options ? `${options.sessionId}|${options.audioOnly ? 1 : 0}|${options.invitationToken ?? ''}` : '';
  useEffect(() => {
    if (!options) return;
    const c = new CallClient(options);
    setClient(c);
    window.__call = c;
    void c.start();
    const leave = () => c.dispose();
    window.addEventListener('pagehide', leave);
    return () => {
      window.removeEventListener('pagehide', leave);
      c.dispose();
      if (window.__call === c) delete window.__call;
      setClient(null);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const state = useSyncExternalStore(
    client ? client.subscribe : noSubscribe,
    client ? client.getState : () => IDLE,
  );
  return { client, state };
}

const noSubscribe = () => () => undefined;

import type { Socket } from 'socket.io-client';
import type { NotificationEvent } from '@hub/contracts';
import { currentAccessToken, refresh } from './client';

type Listener = (n: NotificationEvent) => void;
const listeners = new Set<Listener>();
let socket: Socket | null = null;

/**
 * One socket per signed-in tab, authenticated in the handshake with the access token. It reconnects by itself
 * after a network loss or switch; when the token has expired meanwhile it refreshes it first.
 */
export function connectNotifications(): void {
  if (socket || connecting) return;
  // socket.io-client is fetched only once signed in, so the sign-in page does not carry it.
  connecting = import('socket.io-client')
    .then(({ io }) => {
      if (!connecting) return; // signed out meanwhile
      open(io);
    })
    .catch(() => undefined)
    .finally(() => (connecting = null));
}

let connecting: Promise<void> | null = null;
/** Ids of the notifications heard lately (oldest first), to drop a repeated delivery. */
const seen = new Set<string>();

function open(io: typeof import('socket.io-client').io): void {
  socket = io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ token: currentAccessToken() }),
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
  });
  socket.on('notification', (n: NotificationEvent) => {
    // The hub's outbox delivers at least once (an instance dying between the push and its commit repeats it): a
    // notification already heard is dropped by its id.
    if (n.id && seen.has(n.id)) return;
    if (n.id) {
      seen.add(n.id);
      if (seen.size > 500) seen.delete(seen.values().next().value as string);
    }
    listeners.forEach((l) => l(n));
  });
  socket.on('connect_error', async (err) => {
    if (/UNAUTHENTICATED/.test(err.message) && (await refresh())) socket?.connect();
  });
}

export function disconnectNotifications(): void {
  connecting = null;
  socket?.close();
  socket = null;
}

export function onNotification(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

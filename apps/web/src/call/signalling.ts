import { io, Socket } from 'socket.io-client';
import type { Ack, AckError, ConsultationClientEvents, ConsultationServerEvents, RtpCapabilities } from '@hub/contracts';
import { CONSULTATION_NAMESPACE } from '@hub/contracts';
import { currentAccessToken, refresh } from '../api/client';

/** An error answered by the server in an acknowledgement (`{ ok: false, error: { code, message, fields } }`). */
export class SignallingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: AckError['fields'],
  ) {
    super(message);
  }
}

/**
 * The call's own socket.io connection, authenticated in the handshake like the notifications socket. socket.io
 * reconnects by itself after a network loss or switch (the token is refreshed first when it expired meanwhile);
 * the call client listens to `connect` / `disconnect` to rejoin. Requests are acknowledged events with a timeout.
 */
export class Signalling {
  readonly socket: Socket;
  private closed = false;
  /** The `hello` of the current connection (router capabilities), undefined until it arrives. */
  private greeting: { routerRtpCapabilities: RtpCapabilities | null } | undefined;
  private greetingWaiters: (() => void)[] = [];
  /** The requests sent, with performance.now() (diagnostics and the join benchmark count them); the last 200. */
  readonly sent: { event: string; at: number }[] = [];

  /** `origin`: the hub's origin when it is not the page's own (benchmarks); default the page's. */
  constructor(namespace = CONSULTATION_NAMESPACE, origin = '') {
    this.socket = io(origin + namespace, {
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      auth: (cb) => cb({ token: currentAccessToken() }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
      randomizationFactor: 0.3,
      forceNew: true,
    });
    this.socket.on('hello', (h: ConsultationServerEvents['hello']) => {
      this.greeting = h;
      this.greetingWaiters.splice(0).forEach((w) => w());
    });
    this.socket.on('disconnect', () => (this.greeting = undefined));
    this.socket.on('connect_error', async (err) => {
      if (this.closed) return;
      if (/UNAUTHENTICATED/.test(err.message) && (await refresh())) this.socket.connect();
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * The router capabilities the hub sends right after connecting (in the same flight as the connection), so the
   * Device is loaded before `join`; null when media is unavailable or nothing came within `timeoutMs`.
   */
  async routerCapabilities(timeoutMs = 3000): Promise<RtpCapabilities | null> {
    if (!this.greeting) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.greetingWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.greeting?.routerRtpCapabilities ?? null;
  }

  /** Emits a client event and waits for its `Ack`; `{ ok: false }` or no answer in time rejects. */
  request<E extends keyof ConsultationClientEvents>(
    event: E,
    payload: ConsultationClientEvents[E][0],
    timeoutMs = 10000,
  ): Promise<ConsultationClientEvents[E][1]> {
    this.sent.push({ event, at: performance.now() });
    if (this.sent.length > 200) this.sent.shift();
    return new Promise((resolve, reject) => {
      if (!this.socket.connected) {
        reject(new SignallingError('DISCONNECTED', 'not connected to the hub'));
        return;
      }
      this.socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, answer: Ack<ConsultationClientEvents[E][1]>) => {
        if (err) return reject(new SignallingError('TIMEOUT', `${event}: no answer from the hub`));
        if (!answer || typeof answer !== 'object') return reject(new SignallingError('INTERNAL_ERROR', `${event}: malformed answer`));
        if (!answer.ok) return reject(new SignallingError(answer.error.code, answer.error.message, answer.error.fields));
        resolve(answer.data);
      });
    });
  }

  on<E extends keyof ConsultationServerEvents>(event: E, fn: (payload: ConsultationServerEvents[E]) => void): void {
    this.socket.on(event as string, fn as (...args: unknown[]) => void);
  }

  /** Drops the underlying connection as a network loss would: socket.io reconnects by itself (tests, diagnostics). */
  simulateLinkLoss(): void {
    this.socket.io.engine?.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.socket.removeAllListeners();
    this.socket.close();
  }
}

/**
 * A call socket opened ahead of the call (on the pre-call page, while the user looks at the camera preview), so
 * clicking Join does not pay for TCP, TLS, the WebSocket upgrade and the socket.io handshake on a slow link: the
 * call client takes it over. Closed when nobody takes it within WARM_SOCKET_MS.
 */
let warm: { key: string; signalling: Signalling; timer: ReturnType<typeof setTimeout> } | null = null;
const WARM_SOCKET_MS = 10 * 60_000;

export function preconnectCall(namespace = CONSULTATION_NAMESPACE, origin = ''): Signalling {
  const key = origin + namespace;
  if (warm?.key === key && !warm.signalling.isClosed) return warm.signalling;
  warm?.signalling.close();
  const signalling = new Signalling(namespace, origin);
  const timer = setTimeout(() => {
    if (warm?.signalling === signalling) warm = null;
    signalling.close();
  }, WARM_SOCKET_MS);
  warm = { key, signalling, timer };
  return signalling;
}

/** The socket opened by preconnectCall for this hub, if any (it is then the caller's to close). */
export function takePreconnected(namespace = CONSULTATION_NAMESPACE, origin = ''): Signalling | null {
  if (!warm || warm.key !== origin + namespace || warm.signalling.isClosed) return null;
  const { signalling, timer } = warm;
  clearTimeout(timer);
  warm = null;
  return signalling;
}

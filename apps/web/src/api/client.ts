import type { ErrorBody, LoginResponse, TokenPair } from '@hub/contracts';
import { link } from '../offline/link';

/** An API error with the server's code, message and per-field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
  /**
   * Problems per field: the validation `fields`, or else a message that names its field ("email: a user with this
   * email already exists").
   */
  get problemFields(): { field: string; problems: string[]; rules?: string[] }[] {
    if (this.body.fields?.length) return this.body.fields;
    const named = FIELD_PREFIX.exec(this.body.message);
    return named ? [{ field: named[1], problems: [named[2]] }] : [];
  }
  fieldProblems(field: string): string[] {
    return this.problemFields.find((f) => f.field === field)?.problems ?? [];
  }
  /** The message without a leading field name, for a general alert. */
  get plainMessage(): string {
    const named = FIELD_PREFIX.exec(this.body.message);
    return named ? capitalise(named[2]) : this.body.message;
  }
}

const FIELD_PREFIX = /^([a-z][A-Za-z.]*): (.+)$/s;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The message to show for any error thrown by an API call. */
export const errorMessage = (e: unknown, fallback = 'Something went wrong'): string =>
  e instanceof ApiError ? e.plainMessage : e instanceof Error && e.message ? e.message : fallback;

const REFRESH_KEY = 'hub.refresh';
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => undefined;

export const currentAccessToken = () => accessToken;

// The refresh token is shared by the tabs of this browser (localStorage), so a case opened in a new tab is signed
// in too. Tokens rotate on every exchange, so tabs exchange one at a time (a Web Lock) and each reads the latest
// token inside the lock: a used token is never sent twice, which the hub would take as theft and end the session.
export const session = {
  set(tokens: TokenPair) {
    accessToken = tokens.accessToken;
    localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  },
  clear() {
    accessToken = null;
    localStorage.removeItem(REFRESH_KEY);
  },
  refreshToken: () => localStorage.getItem(REFRESH_KEY),
  hasAccess: () => accessToken !== null,
  onLost(fn: () => void) {
    onSessionLost = fn;
  },
};

const networkError = () =>
  new ApiError(0, {
    statusCode: 0,
    code: 'NETWORK',
    message: 'The hub cannot be reached. Check the link and try again.',
    errorId: '',
  });

/** Options of a write: the idempotency key of the logical action (the same on every retry of it). */
export interface WriteOptions {
  idempotencyKey?: string;
}

async function raw(method: string, path: string, body?: unknown, options: WriteOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    link.lost();
    throw networkError();
  }
  link.ok();
  return res;
}

/** How many times a write whose first attempt is still running on the hub (409 IDEMPOTENCY_KEY_IN_FLIGHT) is retried. */
const IN_FLIGHT_RETRIES = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One request; while the hub says the first attempt with this idempotency key is still being processed, waits the
 * Retry-After it gives and asks again, so the caller gets the first attempt's answer.
 */
async function rawOnce(method: string, path: string, body: unknown, options: WriteOptions): Promise<{ res: Response; data: unknown }> {
  for (let attempt = 0; ; attempt++) {
    const res = await raw(method, path, body, options);
    const data = await parse(res);
    const inFlight = res.status === 409 && (data as Partial<ErrorBody> | undefined)?.code === 'IDEMPOTENCY_KEY_IN_FLIGHT';
    if (!inFlight || !options.idempotencyKey || attempt >= IN_FLIGHT_RETRIES) return { res, data };
    const after = Number(res.headers.get('Retry-After'));
    await sleep((Number.isFinite(after) && after > 0 ? after : 1) * 1000);
  }
}

/** Reads a JSON body; a body that is not JSON (a proxy's HTML page, say) gives undefined. */
async function parse(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toError(res: Response, data: unknown): ApiError {
  return errorOf(res.status, data);
}

function errorOf(status: number, data: unknown): ApiError {
  const body = data as Partial<ErrorBody> | undefined;
  if (body && typeof body.message === 'string' && typeof body.code === 'string') {
    return new ApiError(status, body as ErrorBody);
  }
  return new ApiError(status, {
    statusCode: status,
    code: 'HTTP_ERROR',
    message: status >= 500 ? 'The hub had a problem; try again in a moment.' : `The hub answered ${status}.`,
    errorId: '',
  });
}

/**
 * An answer obtained outside `api()` (the plain sign-in form of index.html sends its request before this code has
 * arrived) read as `api()` would: its body, or the same ApiError (status 0: the hub could not be reached).
 */
export function readAnswer<T>(status: number, body: unknown): T {
  if (status === 0) {
    link.lost();
    throw networkError();
  }
  link.ok();
  if (status < 200 || status >= 300) throw errorOf(status, body);
  return body as T;
}

// Signing out in one tab signs out the others.
window.addEventListener('storage', (e) => {
  if (e.key === REFRESH_KEY && e.newValue === null && accessToken) {
    accessToken = null;
    onSessionLost();
  }
});

const oneTabAtATime = <T,>(fn: () => Promise<T>): Promise<T> =>
  typeof navigator !== 'undefined' && navigator.locks ? navigator.locks.request('hub.refresh', fn) : fn();

/** Exchanges the stored refresh token for a new pair (one exchange at a time, across tabs; the token rotates). */
export function refresh(): Promise<boolean> {
  refreshing ??= oneTabAtATime(async () => {
    const token = session.refreshToken();
    if (!token) return false;
    let res: Response;
    try {
      res = await raw('POST', '/api/auth/refresh', { refreshToken: token });
    } catch {
      return false; // link down: keep the refresh token for the next try
    }
    if (!res.ok) {
      session.clear();
      return false;
    }
    session.set((await res.json()) as TokenPair);
    return true;
  }).finally(() => (refreshing = null));
  return refreshing;
}

/** Routes whose 401 answers are about the credentials sent, never about an expired session. */
const NO_REFRESH = ['/api/auth/login', '/api/auth/refresh'];

/**
 * Calls the API. On a 401 with TOKEN_EXPIRED (or any 401 outside /api/auth/) it refreshes the tokens once and
 * retries once; when the refresh fails the session is lost and the app goes back to the sign-in page.
 */
export async function api<T>(method: string, path: string, body?: unknown, options: WriteOptions = {}): Promise<T> {
  let { res, data } = await rawOnce(method, path, body, options);
  if (res.status === 401 && !NO_REFRESH.some((p) => path.startsWith(p)) && session.refreshToken()) {
    const code = (data as Partial<ErrorBody> | undefined)?.code;
    if (code === 'TOKEN_EXPIRED' || !path.startsWith('/api/auth/')) {
      if (await refresh()) {
        ({ res, data } = await rawOnce(method, path, body, options));
      } else if (!session.refreshToken()) {
        onSessionLost();
      }
    }
  }
  if (!res.ok) throw toError(res, data);
  return data as T;
}

/** Downloads a protected file (e.g. a photo) as a blob: the original bytes. */
export async function fetchBlob(path: string): Promise<Blob> {
  const headers = () => (accessToken ? { Authorization: `Bearer ${accessToken}` } : undefined);
  let res = await fetch(path, { headers: headers() });
  if (res.status === 401 && (await refresh())) res = await fetch(path, { headers: headers() });
  if (!res.ok) throw new Error(`download failed (${res.status})`);
  return res.blob();
}

/** Downloads a protected file (e.g. a photo) as an object URL for <img>. */
export async function fetchBlobUrl(path: string): Promise<string> {
  return URL.createObjectURL(await fetchBlob(path));
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown, options?: WriteOptions) => api<T>('POST', path, body ?? {}, options);
export const patch = <T>(path: string, body: unknown, options?: WriteOptions) => api<T>('PATCH', path, body, options);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export type { LoginResponse };

import type { ErrorBody, LoginResponse, TokenPair } from '@hub/contracts';

/** An API error with the server's code, message and per-field problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
  fieldProblems(field: string): string[] {
    return this.body.fields?.find((f) => f.field === field)?.problems ?? [];
  }
}

const REFRESH_KEY = 'hub.refresh';
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
let onSessionLost: () => void = () => undefined;

export const currentAccessToken = () => accessToken;

export const session = {
  set(tokens: TokenPair) {
    accessToken = tokens.accessToken;
    sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  },
  clear() {
    accessToken = null;
    sessionStorage.removeItem(REFRESH_KEY);
  },
  refreshToken: () => sessionStorage.getItem(REFRESH_KEY),
  hasAccess: () => accessToken !== null,
  onLost(fn: () => void) {
    onSessionLost = fn;
  },
};

async function parse(res: Response): Promise<unknown> {
  if (res.status === 204) return undefined;
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function raw(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Exchanges the stored refresh token for a new pair (once at a time). */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const token = session.refreshToken();
    if (!token) return false;
    const res = await raw('POST', '/api/auth/refresh', { refreshToken: token });
    if (!res.ok) {
      session.clear();
      return false;
    }
    session.set((await res.json()) as TokenPair);
    return true;
  })().finally(() => (refreshing = null));
  return refreshing;
}

/** Calls the API; on an expired access token refreshes once and retries. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res = await raw(method, path, body);
  if (res.status === 401 && !path.startsWith('/api/auth/login') && session.refreshToken()) {
    if (await refresh()) res = await raw(method, path, body);
    else onSessionLost();
  }
  const data = await parse(res);
  if (!res.ok) {
    const err = (data as ErrorBody | undefined) ?? {
      statusCode: res.status,
      code: 'HTTP_ERROR',
      message: `The server answered ${res.status}`,
      errorId: '',
    };
    throw new ApiError(res.status, err);
  }
  return data as T;
}

/** Downloads a protected file (e.g. a photo) as an object URL for <img>. */
export async function fetchBlobUrl(path: string): Promise<string> {
  let res = await fetch(path, { headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {} });
  if (res.status === 401 && (await refresh())) res = await fetch(path, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (!res.ok) throw new Error(`download failed (${res.status})`);
  return URL.createObjectURL(await res.blob());
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

export type { LoginResponse };

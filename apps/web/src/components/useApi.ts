import { keepPreviousData, QueryClient, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, get } from '../api/client';
import { errorText } from '../i18n/errors';
import { screenCache } from './screen-cache';

/**
 * One cache for every screen's data (TanStack Query). Each request is keyed by its path, so a late answer for an
 * older path (a search typed further, another case opened) lands in its own entry and never replaces what the
 * screen shows now. Link failures and 5xx are retried with back-off; a 4xx is an answer, not retried.
 */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A screen opened again asks the hub again (never shows an old answer as current); entries live while a screen
      // uses them, so two parts of one screen share one request and a late answer cannot overwrite a newer key.
      staleTime: 0,
      gcTime: 0,
      refetchOnWindowFocus: false,
      retry: (failures, error) => failures < 4 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 15_000),
    },
  },
});
// Signing out clears it (AuthContext, which does not import this module).
screenCache.onClear(() => queryClient.clear());

export interface Loaded<T> {
  /** The data of the current key (the previous key's while a new one loads, for lists that filter as you type). */
  data: T | null;
  /** The failure, in the reader's language, once retries are exhausted. */
  error: string | null;
  /** True while the first answer for this key is awaited. */
  loading: boolean;
  /** Fetches again; resolves once the new data is in. */
  reload: () => Promise<unknown>;
}

/** GETs `path` through the cache; `null` waits (nothing is fetched, data stays null). */
export function useApi<T>(path: string | null, options: { keepPrevious?: boolean } = {}): Loaded<T> {
  return useApiQuery<T>(path === null ? null : [path], () => get<T>(path!), options);
}

/** Like useApi, for a custom loader (e.g. one that turns a 404 into null); `key` null waits. */
export function useApiQuery<T>(
  key: readonly unknown[] | null,
  load: () => Promise<T>,
  options: { keepPrevious?: boolean } = {},
): Loaded<T> {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: key ?? ['idle'],
    queryFn: load,
    enabled: key !== null,
    placeholderData: options.keepPrevious ? keepPreviousData : undefined,
  }, queryClient); // the client is passed, not provided by a component, so the entry does not carry the library
  return {
    data: key === null ? null : ((q.data ?? null) as T | null),
    error: q.error ? t('errors.loadFailed', { detail: errorText(t, q.error) }) : null,
    loading: key !== null && q.isPending,
    reload: q.refetch,
  };
}

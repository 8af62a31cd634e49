import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import type { NodeQueueView, NodeStatusView } from '@hub/contracts';
import { ApiError, get } from '../api/client';
import { queryClient } from '../components/useApi';
import { formatDateTime, formatNumber, formatTime } from '../i18n/format';

/** How often the bar asks the node (over the clinic LAN: cheap). */
const POLL_MS = 2000;

/**
 * The node's sync status, live (TanStack Query polling GET /api/node/status). The route exists only on a field
 * node: the hub answers 404, and then the answer is `null` and polling stops, so on the hub nothing of this shows.
 * The last answer stays while the node itself does not answer (the browser's own link is the outbox panel's affair).
 */
export function useNodeStatus(): { status: NodeStatusView | null; error: unknown; pending: boolean } {
  const q = useQuery(
    {
      queryKey: ['node-status'],
      queryFn: async (): Promise<NodeStatusView | null> => {
        try {
          return await get<NodeStatusView>('/api/node/status');
        } catch (e) {
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        }
      },
      refetchInterval: (query) => (query.state.data === null ? false : POLL_MS),
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
    queryClient,
  );
  return { status: q.data ?? null, error: q.error, pending: q.isPending };
}

/** The sync page's list (GET /api/node/queue), polled while the page is open; `enabled` false on the hub. */
export function useNodeQueue(enabled: boolean) {
  return useQuery({ queryKey: ['node-queue'], queryFn: () => get<NodeQueueView>('/api/node/queue'), enabled, refetchInterval: POLL_MS }, queryClient);
}

const PHOTO = /\.(jpe?g|png|gif|webp|heic|heif|tiff?|bmp)$/i;

/** "09:12" today, or the date and time for an older moment, in the reader's language and time zone. */
export function momentText(iso: string): string {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? formatTime(d) : formatDateTime(d);
}

/**
 * The bar's sentence in the reader's language: "Connected to hub · 3 changes waiting · photo 2 of 5, 61 %",
 * "Offline since 09:12 — your work is saved on this node · 1 change waiting".
 */
export function statusSentence(t: TFunction, s: NodeStatusView): string {
  const waiting = t('sync.waiting', { count: s.waiting });
  if (s.state === 'revoked') return t('sync.revoked');
  if (s.state === 'not_enrolled') return [t('sync.notEnrolled'), ...(s.waiting ? [waiting] : [])].join(' · ');
  if (s.state === 'offline') {
    const head = s.offlineSince ? t('sync.offlineSince', { time: momentText(s.offlineSince) }) : t('sync.offline');
    return [head, waiting].join(' · ');
  }
  const parts = [t('sync.connected'), s.waiting || s.files.up ? waiting : t('sync.allSent')];
  const c = s.files.current;
  if (c) {
    const key = c.direction === 'down' ? 'sync.fileDown' : PHOTO.test(c.filename) ? 'sync.photoUp' : 'sync.fileUp';
    parts.push(t(key, { index: c.index, total: c.total, percent: formatNumber(c.percent) }));
  } else if (s.files.up) {
    parts.push(t('sync.filesToSend', { count: s.files.up }));
  }
  if (s.files.volumeExhaustedOn) parts.push(t('sync.volumeUsed'));
  return parts.join(' · ');
}

import { formatDate } from '../i18n/format';
import type { AttachmentView, CertificationRequiredBody, TrainingLanguage } from '@hub/contracts';
import { ApiError, currentAccessToken, fetchBlobUrl, refresh } from '../api/client';

export const T = '/api/training';

export const LANGUAGE_LABELS: Record<TrainingLanguage, string> = { en: 'English', fr: 'Français' };

export const day = (iso: string | null | undefined) => (iso ? formatDate(iso) : '—');
export const today = () => new Date().toISOString().slice(0, 10);

/** The certification a 403 CERTIFICATION_REQUIRED answer says is missing, or null for any other error. */
export function certificationRequired(e: unknown): CertificationRequiredBody['certification'] | null {
  if (!(e instanceof ApiError) || e.code !== 'CERTIFICATION_REQUIRED') return null;
  return (e.body as unknown as CertificationRequiredBody).certification ?? null;
}

/** Sends a file as the raw request body (lesson attachments); the type is checked from the bytes on the server. */
export async function uploadRaw<T>(path: string, file: File): Promise<T> {
  const send = () =>
    fetch(path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${currentAccessToken() ?? ''}`, 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' },
      body: file,
    });
  let res = await send();
  if (res.status === 401 && (await refresh())) res = await send();
  const data = await res.json().catch(() => undefined);
  if (!res.ok) {
    throw new ApiError(res.status, data?.code ? data : { statusCode: res.status, code: 'HTTP_ERROR', message: `The hub answered ${res.status}.`, errorId: '' });
  }
  return data as T;
}

/** Downloads a protected file and hands it to the browser under its name. */
export async function download(path: string, filename: string) {
  const url = await fetchBlobUrl(path);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Opens a protected file (a PDF, say) in a new tab. */
export async function openFile(a: AttachmentView) {
  const url = await fetchBlobUrl(a.url);
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** A file size in the reader's units (see i18n/format.ts). */
export { formatSize } from '../i18n/format';

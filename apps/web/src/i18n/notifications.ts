import type { TFunction } from 'i18next';
import type { NotificationView } from '@hub/contracts';
import i18n from './index';

/** Values shown inside a sentence in the reader's words (codes of outcomes, urgencies, specialties…). */
function localParams(t: TFunction, params: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = { ...params };
  const word = (group: string, v: unknown) => (typeof v === 'string' && i18n.exists(`${group}.${v}`) ? t(`${group}.${v}`) : v);
  if ('outcome' in params) out.outcome = String(word('outcome', params.outcome)).toLowerCase();
  if ('urgency' in params) out.urgency = word('urgency', params.urgency) as string;
  if ('specialty' in params) out.specialty = String(word('specialties', params.specialty)).toLowerCase();
  if ('evacuation' in params) out.evacuation = word('evacuation', params.evacuation) as string;
  if ('component' in params) out.component = word('storage', params.component) as string;
  if ('state' in params) out.state = word('storageState', params.state) as string;
  if (typeof params.since === 'string') out.since = new Date(params.since).toLocaleString(i18n.resolvedLanguage === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  if (typeof params.date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(params.date)) {
    out.date = new Date(`${params.date.slice(0, 10)}T12:00:00Z`).toLocaleDateString(i18n.resolvedLanguage === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long' });
  }
  return out;
}

/** A notification in the reader's language: its code and parameters, or the stored English text for old rows. */
export function notificationText(t: TFunction, n: Pick<NotificationView, 'code' | 'params' | 'text'>): string {
  const key = n.code ? `notifications.${n.code}` : null;
  if (!key || !n.params || !(i18n.exists(key) || i18n.exists(`${key}_other`))) return n.text;
  return t(key, localParams(t, n.params));
}

import i18n from './index';

const locale = () => (i18n.resolvedLanguage === 'fr' ? 'fr-FR' : 'en-GB');

/** A date and time in the reader's language ("29 nov. 2026, 06:10"). */
export const formatDateTime = (v: string | Date | null | undefined): string =>
  v ? new Date(v).toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' }) : '';

/** A date in the reader's language ("29 nov. 2026"). */
export const formatDate = (v: string | Date | null | undefined): string =>
  v ? new Date(v).toLocaleDateString(locale(), { dateStyle: 'medium' }) : '';

/** A number in the reader's language (decimal comma in French). */
export const formatNumber = (n: number, digits = 0): string =>
  n.toLocaleString(locale(), { maximumFractionDigits: digits });

/** A time of day in the reader's language ("14:05"). */
export const formatTime = (v: string | Date | null | undefined): string => (v ? new Date(v).toLocaleTimeString(locale(), { timeStyle: 'short' }) : '');

/** A time of day with seconds in the reader's language ("14:05:09"). */
export const formatTimeSeconds = (v: Date): string => v.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A file size in the reader's units ("1,2 Mo", "1.2 MB"). */
export const formatSize = (n: number): string =>
  n > 1e6 ? i18n.t('common.sizeMB', { value: formatNumber(n / 1e6, 1) }) : i18n.t('common.sizeKB', { value: formatNumber(Math.max(1, Math.round(n / 1e3))) });

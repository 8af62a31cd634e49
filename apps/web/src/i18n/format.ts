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

import type { TFunction } from 'i18next';
import i18n from './index';

/** A specialty's name in the reader's language (the server's name for one a mission added itself). */
export const specialtyName = (t: TFunction, code: string, serverName?: string): string =>
  i18n.exists(`specialties.${code}`) ? t(`specialties.${code}`) : (serverName ?? code.replace(/_/g, ' '));

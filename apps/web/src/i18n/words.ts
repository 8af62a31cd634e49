import type { TFunction } from 'i18next';
import i18n from './index';

/** A specialty's name in the reader's language (the server's name for one a mission added itself). */
export const specialtyName = (t: TFunction, code: string, serverName?: string): string =>
  i18n.exists(`specialties.${code}`) ? t(`specialties.${code}`) : (serverName ?? code.replace(/_/g, ' '));

/** A certification's name on its own ("Telemedicine user", "Utilisateur de télémédecine"). */
export const certificationName = (t: TFunction, kind: string): string =>
  i18n.exists(`training.kinds.${kind}`) ? t(`training.kinds.${kind}`) : kind.replace(/_/g, ' ');

/** A role's name in the reader's language. */
export const roleName = (t: TFunction, role: string): string => (i18n.exists(`roles.${role}`) ? t(`roles.${role}`) : role.replace(/_/g, ' '));

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LOCALES, type Locale } from '@hub/contracts';
import { patch } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { currentLocale, showLanguage } from './index';

/**
 * The language picker: before sign-in the choice is kept on this device; signed in it is also stored on the user,
 * so notifications and certificates follow it on every device.
 */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const { user, updateUser } = useAuth();
  const [failed, setFailed] = useState(false);
  const value = isShown(i18n.resolvedLanguage) ? i18n.resolvedLanguage : currentLocale();
  return (
    <span className="language-switch">
      <select
        aria-label={t('language.label')}
        data-testid="language-switch"
        value={value}
        onChange={async (e) => {
          const locale = e.target.value as Locale;
          setFailed(false);
          await showLanguage(locale);
          if (!user) return;
          try {
            updateUser(await patch('/api/auth/me', { locale }));
          } catch {
            setFailed(true);
          }
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
      {failed && (
        <span role="status" className="muted">
          {t('language.saveFailed')}
        </span>
      )}
    </span>
  );
}

const isShown = (v: string | undefined): v is Locale => !!v && (LOCALES as readonly string[]).includes(v);

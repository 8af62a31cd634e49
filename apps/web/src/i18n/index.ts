import i18n, { type BackendModule } from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { LOCALES, type Locale } from '@hub/contracts';

/** Where an explicit choice made before signing in (or by a signed-in user) is kept on this device. */
export const LANGUAGE_KEY = 'hub.lang';

export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/**
 * Catalogues are loaded on demand, one chunk per language, so a French reader never downloads the English one
 * (English stays the fallback for a key missing at run time; the catalogue test keeps that from happening).
 */
const catalogues: BackendModule = {
  type: 'backend',
  init: () => undefined,
  read(language, _namespace, done) {
    const load = language === 'fr' ? import('./locales/fr') : import('./locales/en');
    load.then((m) => done(null, m.default), (e: Error) => done(e, false));
  },
};

/** Resolves once the reader's catalogue is in (or could not be loaded). */
export const i18nReady: Promise<unknown> = i18n
  .use(catalogues)
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    supportedLngs: [...LOCALES],
    fallbackLng: 'en',
    load: 'languageOnly',
    ns: ['translation'],
    defaultNS: 'translation',
    interpolation: { escapeValue: false }, // React escapes
    detection: {
      // An explicit choice on this device first, then the browser's languages (fr-FR, fr-CA → fr).
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_KEY,
      caches: [],
      convertDetectedLanguage: (lng: string) => lng.split('-')[0].toLowerCase(),
    },
    react: { useSuspense: true },
  });

// Screen readers and the browser's spell-checker follow the page's language.
const applyLang = (lng: string) => document.documentElement.setAttribute('lang', lng);
i18n.on('languageChanged', applyLang);
if (i18n.resolvedLanguage) applyLang(i18n.resolvedLanguage);

/** The language being shown ('en' or 'fr'). */
export const currentLocale = (): Locale => (isLocale(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en');

/** Shows the app in the given language and remembers it on this device. */
export async function showLanguage(locale: Locale): Promise<void> {
  localStorage.setItem(LANGUAGE_KEY, locale);
  await i18n.changeLanguage(locale);
}

export default i18n;

import i18n, { type BackendModule } from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { LOCALES, type Locale } from '@hub/contracts';

/** Where an explicit choice made before signing in (or by a signed-in user) is kept on this device. */
export const LANGUAGE_KEY = 'hub.lang';

export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/**
 * Catalogues are loaded on demand, one chunk per language, so a French reader never downloads the English one
 * (English stays the fallback for a key missing at run time; the catalogue test keeps that from happening). Each
 * language comes in two parts: the first (sign-in, top bar, home, errors) with the app, and the other screens' words
 * (`screenWords`) once the first screen is up; on a 256 kbit/s link that halves the words the home waits for.
 */
const catalogues: BackendModule = {
  type: 'backend',
  init: () => undefined,
  read(language, _namespace, done) {
    const load = language === 'fr' ? import('./locales/fr/first') : import('./locales/en/first');
    load.then((m) => done(null, m.default), (e: Error) => done(e, false));
  },
};

const screensLoaded = new Map<Locale, Promise<void>>();

/**
 * The words of every screen after the first, in `locale` (the language shown by default): fetched once and added to
 * the catalogue. Each screen other than sign-in and home waits for it before it renders (apps/web/src/main.tsx), and
 * it is fetched as soon as the first screen is up, so it is normally there before anyone opens another screen; the
 * service worker precaches it with the app shell.
 */
export function screenWords(locale: Locale = currentLocale()): Promise<void> {
  let loaded = screensLoaded.get(locale);
  if (!loaded) {
    const load = locale === 'fr' ? import('./locales/fr/screens') : import('./locales/en/screens');
    loaded = load.then((m) => {
      i18n.addResourceBundle(locale, 'translation', m.default, true, false);
    });
    screensLoaded.set(locale, loaded);
    // a failed fetch (link down, not yet cached) is tried again by the next screen that needs it
    loaded.catch(() => screensLoaded.delete(locale));
  }
  return loaded;
}

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
  // The language shown already (a sign-in in the language the page is in): nothing to change, and no screen
  // suspended while i18next "changes" to it.
  if (locale === i18n.resolvedLanguage) return;
  // A screen already showing keeps its words: the other screens' part comes first when the current one had it.
  if (screensLoaded.size > 0) await screenWords(locale).catch(() => undefined);
  await i18n.changeLanguage(locale);
}

export default i18n;

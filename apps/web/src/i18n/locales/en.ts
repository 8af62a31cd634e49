import first from './en/first';
import screens from './en/screens';

/**
 * English catalogue, in two parts loaded at different times (apps/web/src/i18n): `en/first.ts` (sign-in, top bar,
 * home, errors: what the first screen needs, sent with the app) and `en/screens.ts` (every other screen, fetched
 * once the first screen is up). Keys are grouped by screen; `fr` must have exactly the same keys (the compiler and
 * apps/hub/test/web-i18n-catalogues.spec.ts both check). Plurals use i18next's `_one` / `_other` suffixes.
 */
const en = { ...first, ...screens };

type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
/** The shape every catalogue has: the same keys as English, any strings. */
export type Catalogue = Shape<typeof en>;
export type FirstCatalogue = Shape<typeof first>;
export type ScreensCatalogue = Shape<typeof screens>;

export default en;

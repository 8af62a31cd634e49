import type { Catalogue } from './en';
import first from './fr/first';
import screens from './fr/screens';

/** Catalogue français (MINUSCA travaille en français), en deux parties comme l'anglais (`en.ts`). */
const fr: Catalogue = { ...first, ...screens };

export default fr;

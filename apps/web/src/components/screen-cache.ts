/**
 * Clears the screens' data cache (TanStack Query in useApi.ts) without importing it: the sign-in page and the code
 * that signs out must not carry the query library, which arrives with the first screen that loads data.
 */
const clearers = new Set<() => void>();

export const screenCache = {
  onClear(fn: () => void): void {
    clearers.add(fn);
  },
  clear(): void {
    clearers.forEach((fn) => fn());
  },
};

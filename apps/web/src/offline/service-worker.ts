/**
 * Registers the service worker generated at build (vite-plugin-pwa, workbox: vite.config.ts) once the page has
 * loaded, so its precaching never competes with the first screen on a slow link. It precaches the app shell and the
 * field screens; after one visit the app opens with no network.
 */
export function registerServiceWorker() {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
  const register = () => void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { compression } from 'vite-plugin-compression2';
import { VitePWA } from 'vite-plugin-pwa';
import en from './src/i18n/locales/en';
import fr from './src/i18n/locales/fr';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const outDir = here('../../dist/web');

/**
 * The screens precached with the app shell, so a clinic can open them with no link at all after one visit. Every other
 * screen (dashboard, training, calls, administration) is cached when first opened; offline before that, the app says
 * so inside the page (apps/web/src/offline/RouteErrorBoundary.tsx).
 */
const SHELL_SCREENS = [
  'src/pages/LoginPage.tsx',
  'src/pages/HomePage.tsx',
  'src/pages/PatientsPage.tsx',
  'src/pages/CasesPage.tsx',
  'src/pages/CasePage.tsx',
  'src/pages/NewCasePage.tsx',
  'src/pages/NotificationsPage.tsx',
  'src/pages/MfaSetupPage.tsx',
  'src/offline/OutboxPanel.tsx',
  'src/sync/SyncBar.tsx',
  'src/sync/SyncPage.tsx',
  // the catalogues, loaded on demand by apps/web/src/i18n (the first part with the app, the screens' after it)
  'src/i18n/locales/en/first.ts',
  'src/i18n/locales/en/screens.ts',
  'src/i18n/locales/fr/first.ts',
  'src/i18n/locales/fr/screens.ts',
];

interface ManifestChunk {
  file: string;
  css?: string[];
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
}

/**
 * The sign-in form in plain HTML (apps/web/boot/sign-in.js, inlined into index.html): usable before React and the
 * app's bundles arrive. The words of the form come from the app's catalogues, so the two never disagree. Only the
 * first part of the reader's catalogue is preloaded, chosen by that script. The app's stylesheet is made
 * non-blocking (the first screen's styles are inline): the script applies it once it has arrived.
 */
function bootSignIn(): Plugin {
  const words = Object.fromEntries(
    Object.entries({ en, fr }).map(([lang, c]) => [
      lang,
      {
        name: c.app.name,
        tagline: c.app.tagline,
        title: c.login.title,
        email: c.login.email,
        password: c.login.password,
        submit: c.login.submit,
        submitting: c.login.submitting,
        wait: c.login.opening,
        language: c.language.label,
      },
    ]),
  );
  const source = readFileSync(here('boot/sign-in.js'), 'utf8');
  return {
    name: 'hub:boot-sign-in',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const catalogues: Record<string, string> = {};
        // The home screen's own files (the screen every role lands on), fetched as soon as the form is sent.
        const home: string[] = [];
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const entry = chunks.find((c) => c.type === 'chunk' && c.isEntry);
        const inEntry = new Set<string>();
        const walk = (file: string, into: Set<string>) => {
          const c = ctx.bundle?.[file];
          if (!c || c.type !== 'chunk' || into.has(file)) return;
          into.add(file);
          c.imports.forEach((i) => walk(i, into));
        };
        if (entry) walk(entry.fileName, inEntry);
        const homeChunk = chunks.find((c) => c.type === 'chunk' && !!c.facadeModuleId && /\/src\/pages\/HomePage\.tsx$/.test(c.facadeModuleId));
        if (homeChunk) {
          const files = new Set<string>();
          walk(homeChunk.fileName, files);
          home.push(...[...files].filter((f) => !inEntry.has(f)).map((f) => `/${f}`));
        }
        for (const c of Object.values(ctx.bundle ?? {})) {
          const lang = c.type === 'chunk' && c.facadeModuleId ? /\/i18n\/locales\/([a-z]{2})\/first\.ts$/.exec(c.facadeModuleId)?.[1] : undefined;
          if (lang) catalogues[lang] = `/${c.fileName}`;
        }
        // JSON inside <script>: no "</script>" can close it early.
        const boot = JSON.stringify({ words, catalogues, home }).replace(/</g, '\\u003c');
        const script = source
          .replace(/^\/\/.*\n/gm, '')
          .replace('__BOOT__', () => boot)
          .trim();
        return html
          .replace('__BOOT_SIGN_IN__', () => script)
          .replace(/<link rel="stylesheet"([^>]*)>/g, '<link rel="stylesheet" media="print" data-boot-style$1>');
      },
    },
  };
}

/** The files the entry and the shell screens need (their static imports, transitively), from Vite's manifest. */
function shellFiles(): Set<string> {
  const manifest = JSON.parse(readFileSync(`${outDir}/.vite/manifest.json`, 'utf8')) as Record<string, ManifestChunk>;
  const files = new Set<string>(['index.html']);
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    chunk.css?.forEach((c) => files.add(c));
    chunk.imports?.forEach(visit);
    // what the notifications socket loads once signed in (socket.io-client); other lazy imports (screens, the
    // attachment viewer) are not part of the shell
    if (/^assets\/socket-/.test(chunk.file)) chunk.dynamicImports?.forEach(visit);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  SHELL_SCREENS.forEach(visit);
  return files;
}

export default defineConfig({
  root: here('.'),
  base: '/',
  // Vite compiles TSX itself (React's automatic JSX runtime); no plugin needed for a production build.
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { alias: { '@hub/contracts': here('../../libs/contracts/src/index.ts') } },
  plugins: [
    bootSignIn(),
    // Precompressed copies beside each file (name.br, name.gz); the hub serves them as they are (bootstrap.ts).
    compression({
      include: /\.(js|css|html|svg|json|webmanifest)$/,
      threshold: 512,
      algorithms: ['gzip', 'brotliCompress'],
      logLevel: 'silent',
    }),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      // Registered by apps/web/src/offline/service-worker.ts once the page has loaded, so it never competes with it.
      injectRegister: false,
      manifest: {
        name: 'Field Telemedicine Hub',
        short_name: 'Telemed Hub',
        start_url: '/',
        display: 'standalone',
        background_color: '#f5f7fa',
        theme_color: '#1b4f8a',
        icons: [],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,webmanifest}'],
        // Only the shell and the field screens are precached; the rest come into the runtime cache on first use.
        manifestTransforms: [
          async (entries) => {
            const keep = existsSync(`${outDir}/.vite/manifest.json`) ? shellFiles() : null;
            return { manifest: keep ? entries.filter((e) => keep.has(e.url)) : entries, warnings: [] };
          },
        ],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/socket\.io\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            // Hashed names never change content: once fetched, a screen's code is served from the cache.
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
            handler: 'CacheFirst',
            options: { cacheName: 'hub-screens', expiration: { maxEntries: 200 } },
          },
        ],
      },
    }),
  ],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    manifest: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              // What the first screen runs (React, the router, i18next, the shared contracts) in one file beside the
              // entry rather than a dozen small ones: on a 600 ms link each request's headers cost more than its body.
              name: 'boot',
              test: /node_modules[\\/](react|react-dom|scheduler|wouter|regexparam|i18next|react-i18next|i18next-browser-languagedetector|html-parse-stringify|void-elements|use-sync-external-store)[\\/]|libs[\\/]contracts[\\/]/,
              priority: 10,
            },
          ],
        },
      },
      // Some libraries mark their modules "use client" (for server components); meaningless in this client-only bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'http://localhost:3000', ws: true } },
  },
});

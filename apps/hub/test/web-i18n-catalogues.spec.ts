import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode } from '@hub/common';
import { CONFLICT_REASONS, NOTIFICATION_CODES, Role } from '@hub/contracts';
import en from '../../web/src/i18n/locales/en';
import fr from '../../web/src/i18n/locales/fr';
import enFirst from '../../web/src/i18n/locales/en/first';
import frFirst from '../../web/src/i18n/locales/fr/first';

/** Every leaf key of a catalogue, dotted ("errors.NOT_FOUND"). */
function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : keys(v as object, `${prefix}${k}.`)));
}
const leaf = (tree: object, key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], tree);
const has = (tree: object, key: string) =>
  typeof leaf(tree, key) === 'string' || typeof leaf(tree, `${key}_one`) === 'string' || typeof leaf(tree, `${key}_other`) === 'string';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}
const WEB = join(__dirname, '../../web/src');

describe('web app catalogues (en, fr)', () => {
  const enKeys = keys(en);
  const frKeys = keys(fr);

  it('have the same keys in both languages', () => {
    expect(frKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
    expect(enKeys.filter((k) => !frKeys.includes(k))).toEqual([]);
  });

  it('have no empty sentence and keep every {{placeholder}} of the English one', () => {
    const placeholders = (s: string) => [...s.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
    for (const k of enKeys) {
      const e = leaf(en, k) as string;
      const f = leaf(fr, k) as string;
      expect([k, e.trim().length > 0, f.trim().length > 0]).toEqual([k, true, true]);
      expect([k, placeholders(f)]).toEqual([k, placeholders(e)]);
    }
  });

  it('translate every error code the server can return', () => {
    const missing = Object.values(ErrorCode).filter((c) => !has(en, `errors.${c}`) || !has(fr, `errors.${c}`));
    expect(missing).toEqual([]);
  });

  it('say in plain words every reason of a 409 CONFLICT the server gives', () => {
    expect(CONFLICT_REASONS.filter((r) => !has(en, `reasons.${r}`) || !has(fr, `reasons.${r}`))).toEqual([]);
  });

  it('translate every notification the server can store', () => {
    expect(NOTIFICATION_CODES.filter((c) => !has(en, `notifications.${c}`) || !has(fr, `notifications.${c}`))).toEqual([]);
  });

  it('name every role', () => {
    expect(Object.values(Role).filter((r) => !has(fr, `roles.${r}`) || !has(en, `roles.${r}`))).toEqual([]);
  });

  it('hold every key the web app asks for with a literal t("…") or <Trans i18nKey="…">', () => {
    const used = new Set<string>();
    for (const file of sources(WEB)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/\bi18nKey="([a-zA-Z0-9_.]+)"/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !has(en, k) || !has(fr, k)).sort()).toEqual([]);
  });

  /**
   * The files the first screen runs: the entry and, transitively, what it and the home screen import statically
   * (a lazy `import()` is not followed: those screens wait for the other screens' words).
   */
  function firstScreenFiles(): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'(\.[^']+)'/gms)) {
        const base = resolve(dirname(file), m[1]);
        const found = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((f) => {
          try {
            return statSync(f).isFile();
          } catch {
            return false;
          }
        });
        if (found && !found.includes('/locales/')) visit(found);
      }
    };
    visit(join(WEB, 'main.tsx'));
    visit(join(WEB, 'pages/HomePage.tsx'));
    return [...seen];
  }

  it("put in the first part every group the sign-in page, the top bar and the home use (the rest comes later)", () => {
    const files = firstScreenFiles();
    expect(files.map((f) => f.slice(WEB.length + 1))).toEqual(expect.arrayContaining(['main.tsx', 'components/TopBar.tsx', 'pages/HomePage.tsx', 'pages/LoginPage.tsx']));
    const groups = Object.keys(en);
    const used = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // t('group.key'), t(`group.${x}`), keys in tables ('group.key'), and useTranslation(…, { keyPrefix: 'group' })
      for (const g of groups) if (new RegExp(`['\`"]${g}\\.|keyPrefix: *'${g}'`).test(text)) used.add(g);
    }
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((g) => !(g in enFirst) || !(g in frFirst)).sort()).toEqual([]);
  });

  it('make every screen but sign-in and home wait for the other screens\' words', () => {
    const main = readFileSync(join(WEB, 'main.tsx'), 'utf8');
    const lazy = [...main.matchAll(/lazy\((.*)$/gm)].map((m) => m[1]);
    expect(lazy.length).toBeGreaterThan(20);
    expect(lazy.filter((l) => !l.startsWith('screen(') && !l.startsWith('loadHome)'))).toEqual([]);
    expect(main).toMatch(/const loadHome = \(\) =>\s+import\('\.\/pages\/HomePage'\)/);
  });
});

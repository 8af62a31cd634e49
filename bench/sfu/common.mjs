// Shared by the bench/sfu browser benchmarks: the bench page, Chromium, a consultation with a sender in it, the
// link-emulating relay of libs/testing, and a deadline that fails loudly instead of hanging.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { root, signIn } from '../lib.mjs';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const knob = (name, fallback, min) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be an integer >= ${min}, not ${JSON.stringify(process.env[name])}`);
    process.exit(2);
  }
  return value;
};

export const percentile = (sorted, p) => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];

/** Rejects after `seconds` with a message naming the benchmark: a stuck run fails instead of hanging. */
export function deadline(name, seconds) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: no result within ${seconds} s (BENCH_TIMEOUT_SECONDS); giving up`)), seconds * 1000);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** Builds the bench page (bench/sfu/page) with the web app's call client into a temporary directory. */
export async function buildPage(cleanups, say) {
  const outDir = mkdtempSync(join(tmpdir(), 'hub-bench-page-'));
  cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
  say('building the bench page (web call client) with vite');
  await build({
    root: join(root, 'bench/sfu/page'),
    base: '/',
    logLevel: 'warn',
    configFile: false,
    resolve: { alias: { '@hub/contracts': join(root, 'libs/contracts/src/index.ts') } },
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  return outDir;
}

export async function launchBrowser(cleanups) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
  cleanups.unshift(() => browser.close());
  return browser;
}

/** A page of the bench app at `url` in its own context (`prepare(context)` first, e.g. to route media). */
export async function openPage(browser, url, say, prepare) {
  const context = await browser.newContext();
  if (prepare) await prepare(context);
  const p = await context.newPage();
  p.on('pageerror', (e) => say('page error:', e.message));
  await p.goto(url);
  await p.waitForFunction(() => 'bench' in window);
  return p;
}

/** A dermatology case accepted by MINUSCA's doctor and its consultation session; the officer and doctor sessions. */
export async function consultationOnHub(base) {
  const officer = await signIn(base, 'officer@minusca.demo');
  const doctor = await signIn(base, 'doctor@minusca.demo');
  const api = async (method, path, token, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const patient = await api('POST', '/api/patients', officer.accessToken, {
    serviceNumber: `BENCH-${Date.now()}`, firstName: 'Bench', lastName: 'Patient', dateOfBirth: '1990-01-01', sex: 'male',
    nationality: 'BGD', contingent: 'BENCH', bloodGroup: 'O+', allergies: [],
  });
  const kase = await api('POST', '/api/cases', officer.accessToken, {
    patientId: patient.id, specialtyCode: 'dermatology', urgency: 'urgent', consentGiven: true, submit: true,
    presentingComplaint: 'Rash', question: 'Scabies?', vitals: {},
  });
  await api('POST', `/api/cases/${kase.id}/accept`, doctor.accessToken);
  const consultation = await api('POST', '/api/consultations', officer.accessToken, { caseId: kase.id });
  return { officer, doctor, consultation, api };
}

/** The officer's page joins the hub's call and produces; the doctor admits them over REST, as in the real flow. */
export async function officerSending(page, base, c) {
  const sending = page.evaluate((o) => window.bench.send(o), { origin: base, sessionId: c.consultation.id, token: c.officer.accessToken });
  for (let i = 0; ; i++) {
    const s = await c.api('GET', `/api/consultations/${c.consultation.id}`, c.doctor.accessToken);
    const waiting = s.participants.find((p) => p.state === 'waiting');
    if (waiting) {
      await c.api('POST', `/api/consultations/${c.consultation.id}/participants/${waiting.id}/admit`, c.doctor.accessToken);
      break;
    }
    if (i > 100) throw new Error('the officer never reached the waiting room');
    await new Promise((r) => setTimeout(r, 100));
  }
  await sending;
}

/**
 * The link relay of libs/testing (libs/testing/src/link-relay.ts), transpiled with TypeScript on the fly: the hub's
 * build leaves libs/testing out of dist.
 */
export function loadLinkRelay(cleanups) {
  const ts = require('typescript');
  const source = readFileSync(join(root, 'libs/testing/src/link-relay.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-relay-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'link-relay.cjs');
  writeFileSync(file, outputText);
  return require(file);
}

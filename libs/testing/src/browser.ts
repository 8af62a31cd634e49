import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContextOptions, chromium, Page } from 'playwright-core';
import { projectRoot } from '@hub/config';
import { freePort } from '@hub/database';
import { DEMO_PASSWORD } from '../../../apps/hub/src/seed/demo-seed';
import { createTestHub, TestHub } from './test-app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with a fake camera and microphone; no browser is ever downloaded. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
    ],
  });
}

export interface WebHub {
  hub: TestHub;
  browser: Browser;
  base: string;
  /** A fresh browser context at the login page, with the credentials filled in and submitted. */
  signIn(email: string, password?: string, options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/** The hub with the built web app on a free port, and Chromium to drive it. */
export async function startWebHub(
  env: Record<string, string> = {},
  prepare?: (hub: TestHub) => Promise<void>,
  options: { hubJobs?: boolean } = {},
): Promise<WebHub> {
  const web = join(projectRoot(), 'dist/web/index.html');
  if (!existsSync(web)) throw new Error(`${web} is missing: run \`npm run build\` first (npm test does)`);
  const hub = await createTestHub(env, options);
  if (prepare) await prepare(hub);
  const port = await freePort();
  await hub.app.listen(port, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const browser = await launchChromium();
  return {
    hub,
    browser,
    base,
    async signIn(email, password = DEMO_PASSWORD, options = {}) {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options })).newPage();
      await page.goto(`${base}/login`);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      return page;
    },
    async close() {
      await browser.close();
      await hub.close();
    },
  };
}

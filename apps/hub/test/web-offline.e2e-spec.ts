import type { Page, Request } from 'playwright-core';
import { startWebHub, WebHub } from '@hub/testing';

/**
 * The web app on a link that comes and goes (Chromium): compressed, long-cached assets; the app shell opens with the
 * network off after one visit, and a screen never loaded says so inside the app; a case being typed survives an
 * offline reload; a case sent offline waits in the outbox and reaches the hub exactly once when the link returns.
 */
describe('web app offline (Chromium)', () => {
  let web: WebHub;
  let patientId: string;

  beforeAll(async () => {
    web = await startWebHub();
    const officer = await web.hub.login('officer@minusca.demo');
    const res = await web.hub
      .http()
      .post('/api/patients')
      .set('Authorization', `Bearer ${officer.accessToken}`)
      .send({ serviceNumber: 'RWA-55120', firstName: 'Jean', lastName: 'Uwimana', dateOfBirth: '1990-03-14', sex: 'male', nationality: 'RWA', contingent: 'RWABAT-3' });
    expect(res.status).toBe(201);
    patientId = res.body.id;
  });
  afterAll(async () => {
    await web?.close();
  });

  async function officerPage(): Promise<Page> {
    const page = await web.signIn('officer@minusca.demo');
    await page.getByRole('heading', { level: 1 }).waitFor();
    return page;
  }

  /** Waits until the service worker controls the page (its install, i.e. the precache, is complete). */
  async function serviceWorkerInControl(page: Page) {
    // a function, not a string: the app's CSP forbids eval
    await page.waitForFunction(() => !!(globalThis as unknown as { navigator: { serviceWorker?: { controller: unknown } } }).navigator.serviceWorker?.controller, null, {
      timeout: 60_000,
    });
  }

  /** Polls `read` until it returns `want` (or the time is up, then fails showing the last value). */
  async function eventually<T>(read: () => Promise<T>, want: T, timeout = 10_000) {
    const until = Date.now() + timeout;
    let last = await read();
    while (last !== want && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      last = await read();
    }
    expect(last).toBe(want);
  }

  async function fillCase(page: Page, complaint: string) {
    await page.getByLabel('Patient', { exact: true }).selectOption(patientId);
    await page.getByLabel('Specialty').selectOption('dermatology');
    await page.getByLabel('Urgency').selectOption('routine');
    await page.getByLabel('Presenting complaint').fill(complaint);
    await page.getByLabel('Heart rate (/min)').fill('76');
    await page.getByLabel('Question to the specialist').fill('Fungal or eczema?');
    await page.getByLabel('The patient consents to this teleconsultation').check();
  }

  const casesWith = async (complaint: string) =>
    (await web.hub.db.dataSource.query('SELECT id, status FROM referral_cases WHERE presenting_complaint = $1', [complaint])) as { id: string; status: string }[];

  it('serves the built app precompressed, hashed assets for a year, the shell and the service worker revalidated', async () => {
    const page = await web.hub.http().get('/').set('Accept-Encoding', 'br, gzip');
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec((await web.hub.http().get('/index.html').set('Accept-Encoding', 'identity')).text)?.[1];
    expect(script).toBeDefined();
    const br = await web.hub.http().get(script!).set('Accept-Encoding', 'br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-type']).toMatch(/javascript/);
    const gz = await web.hub.http().get(script!).set('Accept-Encoding', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await web.hub.http().get(script!).set('Accept-Encoding', 'identity').buffer(true);
    expect(plain.headers['content-encoding']).toBeUndefined();
    // compressed, it is a fraction of the plain size
    expect(Number(br.headers['content-length'])).toBeLessThan(Number(plain.headers['content-length']) / 2);
    const sw = await web.hub.http().get('/sw.js').set('Accept-Encoding', 'identity');
    expect(sw.status).toBe(200);
    expect(sw.headers['cache-control']).toBe('no-cache');
    // a client-side route gets the app's index.html, compressed and revalidated too
    const route = await web.hub.http().get('/cases/new').set('Accept-Encoding', 'gzip');
    expect(route.status).toBe(200);
    expect(route.headers['content-encoding']).toBe('gzip');
    expect(route.headers['cache-control']).toBe('no-cache');
    // the API is never served from files
    expect((await web.hub.http().get('/api/auth/me')).status).toBe(401);
  });

  it('opens with the network off after one visit, and a screen not yet loaded says so with the top bar kept', async () => {
    const page = await officerPage();
    await serviceWorkerInControl(page);
    await page.context().setOffline(true);
    await page.reload();
    // the shell and the home screen come from this device
    await page.getByRole('heading', { level: 1 }).waitFor({ timeout: 30_000 });
    await page.getByTestId('user-name').waitFor();
    await page.getByTestId('link-down').waitFor({ timeout: 30_000 });
    // the new-case screen was precached with the shell
    await page.goto(`${web.base}/cases/new`);
    await page.getByRole('heading', { name: 'New teleconsultation case' }).waitFor({ timeout: 30_000 });
    // the training screens were never opened on this device: a plain message inside the app, top bar still there
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Training' }).click();
    const message = page.getByTestId('screen-unavailable');
    await message.waitFor({ timeout: 30_000 });
    expect(await message.textContent()).toContain('has not been opened on this device yet');
    expect(await page.getByTestId('user-name').isVisible()).toBe(true);
    await page.context().setOffline(false);
    await page.context().close();
  }, 180_000);

  it('keeps the case being typed across an offline reload', async () => {
    const page = await officerPage();
    await serviceWorkerInControl(page);
    await page.getByRole('link', { name: 'New teleconsultation case' }).click();
    await page.getByLabel('Patient', { exact: true }).locator(`option[value="${patientId}"]`).waitFor({ state: 'attached' });
    await fillCase(page, 'Scaly patches on the neck, draft kept offline');
    await page.getByTestId('draft-saved').waitFor();
    await page.context().setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'New teleconsultation case' }).waitFor({ timeout: 30_000 });
    await eventually(() => page.getByLabel('Presenting complaint').inputValue(), 'Scaly patches on the neck, draft kept offline');
    expect(await page.getByLabel('Question to the specialist').inputValue()).toBe('Fungal or eczema?');
    expect(await page.getByLabel('Heart rate (/min)').inputValue()).toBe('76');
    // the link comes back: the app says so, and the draft is still there when the form is opened again
    await page.context().setOffline(false);
    await page.getByTestId('link-down').waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByRole('link', { name: 'Field Telemedicine Hub' }).click();
    await page.getByRole('link', { name: 'New teleconsultation case' }).click();
    await page.getByRole('heading', { name: 'New teleconsultation case' }).waitFor({ timeout: 30_000 });
    await eventually(() => page.getByLabel('Presenting complaint').inputValue(), 'Scaly patches on the neck, draft kept offline');
    expect(await page.getByLabel('Urgency').inputValue()).toBe('routine');
    expect(await casesWith('Scaly patches on the neck, draft kept offline')).toHaveLength(0);
    await page.context().close();
  }, 180_000);

  it('queues a case sent offline and makes exactly one case when the link returns', async () => {
    const complaint = 'Itchy ring-shaped rash on the forearm, sent offline';
    const page = await officerPage();
    const writes: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/cases')) writes.push(r);
    });
    await page.getByRole('link', { name: 'New teleconsultation case' }).click();
    await page.getByLabel('Patient', { exact: true }).locator(`option[value="${patientId}"]`).waitFor({ state: 'attached' });
    await fillCase(page, complaint);
    await page.context().setOffline(true);
    await page.getByRole('button', { name: 'Send to specialist' }).click();
    const notice = page.getByTestId('queued-notice');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toBe('Saved on this device — will be sent when the link returns.');
    const waiting = page.getByTestId('outbox-item');
    await waiting.waitFor();
    expect(await waiting.textContent()).toContain('New case for Uwimana, Jean');
    // a second press while it waits is the same action
    expect(await page.getByRole('button', { name: 'Send to specialist' }).isDisabled()).toBe(true);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await casesWith(complaint)).toHaveLength(0);

    await page.context().setOffline(false);
    await page.getByTestId('case-page').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('case-status').textContent()).toBe('Waiting for a specialist');
    await page.getByTestId('outbox-item').waitFor({ state: 'detached', timeout: 10_000 });
    const cases = await casesWith(complaint);
    expect(cases).toHaveLength(1);
    expect(cases[0].status).toBe('submitted');
    expect(page.url()).toBe(`${web.base}/cases/${cases[0].id}`);

    // every write of the action carried its idempotency key, the same one on each attempt of a step
    const created = writes.filter((r) => new URL(r.url()).pathname === '/api/cases');
    expect(created.length).toBeGreaterThanOrEqual(1);
    const keys = new Set(await Promise.all(created.map((r) => r.headerValue('idempotency-key'))));
    expect(keys.size).toBe(1);
    const [key] = [...keys];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const submits = writes.filter((r) => r.url().endsWith(`/api/cases/${cases[0].id}/submit`));
    expect(submits).toHaveLength(1);
    expect(await submits[0].headerValue('idempotency-key')).toBe(`${key}:submit`);
    await page.context().close();
  }, 180_000);
});

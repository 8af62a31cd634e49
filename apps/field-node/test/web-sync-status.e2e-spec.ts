import { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '@hub/testing';
import { api, HubAndNode, login, PASSWORD } from './node-processes';

/**
 * A moment as the browser shows it in the reader's language ("09:12"), in the browser's own time zone (the context's)
 * or the one given: formatted by the browser itself, so the check does not depend on Node's ICU.
 */
const clock = (page: Page, iso: string, locale: string, timeZone?: string): Promise<string> =>
  page.evaluate(([i, l, z]) => new Intl.DateTimeFormat(l, { timeStyle: 'short', ...(z ? { timeZone: z } : {}) }).format(new Date(i)), [iso, locale, timeZone] as const);

/**
 * The sync bar and sync page of the web app served by a field node (docs/field-node.md, "Sync status"), in Chromium:
 * hub and node as separate processes with the link relay between them. The officer signs in on the node and sees
 * "Connected to hub"; the link is cut and the bar says since when it is offline (in the reader's time zone); a case
 * made meanwhile shows as changes waiting, listed on the sync page; the link returns and the queue drains. In
 * English and in French; on the hub itself nothing of this shows.
 */
describe('field node: sync status in the web app (Chromium)', () => {
  let env: HubAndNode;
  let browser: Browser;

  beforeAll(async () => {
    env = await HubAndNode.start();
    browser = await launchChromium();
    await env.officerSynced();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
  }, 60_000);

  async function signIn(base: string, options: BrowserContextOptions, labels = { email: 'Email', password: 'Password', submit: 'Sign in' }): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options })).newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel(labels.email).fill('officer@minusca.demo');
    await page.getByLabel(labels.password).fill(PASSWORD);
    await page.getByRole('button', { name: labels.submit }).click();
    return page;
  }

  /** Waits until the bar's sentence matches; returns it. */
  async function barSays(page: Page, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const bar = page.getByTestId('sync-status');
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = (await bar.textContent({ timeout: 1000 }).catch(() => null)) ?? '';
      if (pattern.test(last)) return last;
      await page.waitForTimeout(200);
    }
    throw new Error(`the sync bar never said ${pattern}; it said "${last}"\n${env.logs()}`);
  }

  const nodeStatus = async () => (await api(env.nodeBase, 'GET', '/api/node/status', await login(env.nodeBase, 'officer@minusca.demo'))).body;

  it('shows the link, the changes waiting while offline, and the queue draining when the link returns (English)', async () => {
    const officer = await login(env.nodeBase, 'officer@minusca.demo');
    const patient = await api(env.nodeBase, 'POST', '/api/patients', officer, {
      serviceNumber: 'BAN-BAR-0001', firstName: 'Awa', lastName: 'Offlinebar', dateOfBirth: '1992-02-02', sex: 'female', nationality: 'SEN', contingent: 'SENBAT-3',
    });
    expect(patient.status).toBe(201);
    const page = await signIn(env.nodeBase, { locale: 'en-GB', timezoneId: 'Asia/Tokyo' });
    await barSays(page, /^Connected to hub · everything sent$/);

    // The link to the hub is cut: the bar says since when, in the reader's time zone (Tokyo, not UTC).
    env.relay.cut(true, 'drop');
    const offline = await barSays(page, /^Offline since .+ — your work is saved on this node · 0 changes waiting$/);
    const status = await nodeStatus();
    expect(status.state).toBe('offline');
    const tokyo = await clock(page, status.offlineSince, 'en-GB');
    expect(offline).toBe(`Offline since ${tokyo} — your work is saved on this node · 0 changes waiting`);
    expect(tokyo).toBe(await clock(page, status.offlineSince, 'en-GB', 'Asia/Tokyo'));
    expect(tokyo).not.toBe(await clock(page, status.offlineSince, 'en-GB', 'UTC'));

    // A case made on the node while offline: it waits, and the bar says so.
    await page.getByRole('navigation').getByRole('link', { name: 'My patients' }).click();
    await page.getByRole('row', { name: /Offlinebar, Awa/ }).getByRole('link', { name: 'New case' }).click();
    await page.getByLabel('Specialty').selectOption('dermatology');
    await page.getByLabel('Urgency').selectOption('urgent');
    await page.getByLabel('Presenting complaint').fill('Rash made while the link to the hub was down');
    await page.getByLabel('Question to the specialist').fill('Contact dermatitis?');
    await page.getByLabel('The patient consents to this teleconsultation').check();
    await page.getByRole('button', { name: 'Send to specialist' }).click();
    await page.getByTestId('case-page').waitFor();
    await barSays(page, /^Offline since .+ — your work is saved on this node · [1-9]\d* changes? waiting$/);
    // a case sent at once is two outbox rows (made as a draft, then submitted), written one after the other: the bar
    // follows the node's count, whatever it is once both are in
    await page.waitForTimeout(1500);
    const count = (await nodeStatus()).waiting;
    expect(count).toBeGreaterThan(0);
    await barSays(page, new RegExp(`^Offline since .+ — your work is saved on this node · ${count} changes? waiting$`));

    // The sync page lists the case waiting, by whom, and explains the state in words.
    await page.getByTestId('sync-bar').getByRole('link', { name: 'Sync details' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sync with the hub' }).waitFor();
    const queue = page.getByTestId('sync-page-queue');
    await queue.getByRole('cell', { name: 'case', exact: true }).first().waitFor();
    expect(await queue.getByRole('cell', { name: 'Dr. Field Officer (MINUSCA)' }).count()).toBeGreaterThan(0);
    expect(await page.getByTestId('sync-page-state').innerText()).toContain('The hub cannot be reached from this node. Nothing is lost');
    expect(await page.getByTestId('sync-page-attention').innerText()).toContain('Nothing: the hub accepted every change.');

    // The link returns: the queue drains, live, and the case is on the hub once.
    env.relay.cut(false);
    await barSays(page, /^Connected to hub · everything sent$/);
    await page.getByText('Nothing waiting: every change reached the hub.').waitFor();
    expect(await page.getByTestId('sync-page-state').innerText()).toMatch(/Last successful sync: /);
    const onHub = await env.hubSql.query(`SELECT status FROM referral_cases WHERE presenting_complaint = 'Rash made while the link to the hub was down'`);
    expect(onHub.rows).toEqual([{ status: 'submitted' }]);
    await page.context().close();
  }, 240_000);

  it('says the same in French, in the reader’s time zone', async () => {
    env.relay.cut(false); // whatever the test before left
    const page = await signIn(env.nodeBase, { locale: 'fr-FR', timezoneId: 'America/New_York' }, { email: 'Adresse e-mail', password: 'Mot de passe', submit: 'Se connecter' });
    await barSays(page, /^Connecté au hub · tout est envoyé$/);

    env.relay.cut(true, 'drop');
    const offline = await barSays(page, /^Hors ligne depuis .+ — votre travail est enregistré sur ce nœud · 0 modification en attente$/);
    const status = await nodeStatus();
    expect(offline).toBe(`Hors ligne depuis ${await clock(page, status.offlineSince, 'fr-FR', 'America/New_York')} — votre travail est enregistré sur ce nœud · 0 modification en attente`);

    const officer = await login(env.nodeBase, 'officer@minusca.demo');
    const patient = await api(env.nodeBase, 'POST', '/api/patients', officer, {
      serviceNumber: 'BAN-BAR-0002', firstName: 'Jean', lastName: 'Horsligne', dateOfBirth: '1985-05-05', sex: 'male', nationality: 'FRA', contingent: 'FRABAT-1',
    });
    expect(patient.status).toBe(201);
    const made = await api(env.nodeBase, 'POST', '/api/cases', officer, {
      patientId: patient.body.id, specialtyCode: 'dermatology', urgency: 'routine', consentGiven: true, submit: true,
      presentingComplaint: 'Éruption pendant la coupure', question: 'Dermatite de contact ?',
    });
    expect(made.status).toBe(201);
    await barSays(page, /^Hors ligne depuis .+ — votre travail est enregistré sur ce nœud · [2-9]\d* modifications en attente$/);

    await page.getByTestId('sync-bar').getByRole('link', { name: 'Détails de la synchronisation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Synchronisation avec le hub' }).waitFor();
    const queue = page.getByTestId('sync-page-queue');
    await queue.getByRole('cell', { name: 'dossier de consultation', exact: true }).first().waitFor();
    await queue.getByRole('cell', { name: 'dossier patient', exact: true }).first().waitFor();

    env.relay.cut(false);
    await barSays(page, /^Connecté au hub · tout est envoyé$/);
    await page.getByText('Rien en attente : toutes les modifications sont arrivées au hub.').waitFor();
    const onHub = await env.hubSql.query(`SELECT count(*)::int AS n FROM referral_cases WHERE id = $1`, [made.body.id]);
    expect(onHub.rows[0].n).toBe(1);
    await page.context().close();
  }, 240_000);

  it('shows nothing of this on the hub', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' })).newPage();
    // the status route does not exist on the hub: once it has answered 404, no bar, and the sync page says why
    const probed = page.waitForResponse((r) => r.url().endsWith('/api/node/status') && r.status() === 404, { timeout: 60_000 });
    await page.goto(`${env.hubBase}/login`);
    await page.getByLabel('Email').fill('officer@minusca.demo');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('home-field_medical_officer').waitFor();
    await probed;
    await page.waitForTimeout(1000);
    expect(await page.getByTestId('sync-bar').count()).toBe(0);
    await page.goto(`${env.hubBase}/sync`);
    await page.getByTestId('sync-on-hub').waitFor();
    expect(await page.getByTestId('sync-bar').count()).toBe(0);
    await page.context().close();
  }, 120_000);
});

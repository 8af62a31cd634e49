import type { Page } from 'playwright-core';
import { bearer, startWebHub, WebHub } from '@hub/testing';
import en from '../../web/src/i18n/locales/en';
import fr from '../../web/src/i18n/locales/fr';

/** English sentences of the interface that French differs from: none may show on a French screen. */
function englishOnly(): string[] {
  const out: string[] = [];
  const walk = (e: object, f: object) => {
    for (const [k, v] of Object.entries(e)) {
      const other = (f as Record<string, unknown>)[k];
      if (typeof v === 'string') {
        if (v !== other && !v.includes('{{') && v.length >= 8) out.push(v);
      } else walk(v as object, other as object);
    }
  };
  walk(en, fr);
  return out;
}
const ENGLISH = englishOnly();

async function noEnglish(page: Page, where: string) {
  const text = await page.locator('body').innerText();
  const found = ENGLISH.filter((s) => text.includes(s));
  expect([where, found]).toEqual([where, []]);
}

/**
 * A MINUSCA officer whose browser is in French (fr-FR) sees French everywhere this walk goes: sign-in (and its
 * error), home, a new case (with a validation error naming the clinical field once), the case page with the
 * specialist's answer and the evacuation banner, the notification of that answer, the authenticator set-up
 * page, and the case's live-consultation card with the pre-call check. Then the officer switches to
 * English, which is stored on the account.
 */
describe('the web app in French (Chromium, fr-FR)', () => {
  let web: WebHub;
  beforeAll(async () => (web = await startWebHub()));
  afterAll(() => web?.close());

  it('shows French everywhere the officer goes', async () => {
    const officerApi = await web.hub.login('officer@minusca.demo');
    const patient = await web.hub
      .http()
      .post('/api/patients')
      .set(bearer(officerApi))
      .send({ serviceNumber: 'BAN-99001', firstName: 'Issa', lastName: 'Ndiaye', dateOfBirth: '1988-05-14', sex: 'male', nationality: 'SEN', contingent: 'SENBAT-3' })
      .expect(201);

    const context = await web.browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${web.base}/login`);

    // Sign-in page and its error.
    await page.getByRole('heading', { level: 1, name: 'Plateforme de télémédecine de terrain' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await page.getByLabel('Adresse e-mail').fill('officer@minusca.demo');
    await page.getByLabel('Mot de passe').fill('not the password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    expect(await page.getByTestId('login-error').innerText()).toBe('Adresse e-mail ou mot de passe incorrect.');
    await noEnglish(page, 'sign-in');
    await page.getByLabel('Mot de passe').fill('FieldHub!2026');
    await page.getByRole('button', { name: 'Se connecter' }).click();

    // Home: role, cards, top bar, page title, focus on the heading.
    await page.getByTestId('home-field_medical_officer').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Médecin de terrain' }).waitFor();
    expect(await page.title()).toBe('Médecin de terrain — Plateforme de télémédecine de terrain');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('H1');
    await page.getByRole('heading', { name: 'Mes patients' }).waitFor();
    await noEnglish(page, 'home');

    // New case from the top bar; a missing complaint is named once, in clinical words, in French.
    await page.getByRole('navigation').getByRole('link', { name: 'Nouveau dossier' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nouvelle demande de téléconsultation' }).waitFor();
    expect(await page.title()).toBe('Nouvelle demande de téléconsultation — Plateforme de télémédecine de terrain');
    await page.getByLabel('Patient', { exact: true }).selectOption(patient.body.id);
    await page.getByLabel('Spécialité').selectOption('dermatology');
    expect(await page.getByLabel('Spécialité').locator('option:checked').innerText()).toBe('Dermatologie');
    await page.getByLabel('Question au spécialiste').fill('Gale ou toxidermie ?');
    await page.getByLabel('Fréquence cardiaque (/min)').fill('84');
    await page.getByLabel('Le patient consent à cette téléconsultation').check();
    await page.getByRole('button', { name: 'Envoyer au spécialiste' }).click();
    await page.getByRole('alert').filter({ hasText: 'Veuillez corriger les champs signalés ci-dessus.' }).waitFor();
    const body = await page.locator('body').innerText();
    expect(body.match(/est obligatoire/g)).toHaveLength(1);
    expect(body).not.toMatch(/presentingComplaint|must not be empty/);
    await page.locator('.field').filter({ hasText: 'Motif de consultation' }).getByText('est obligatoire').waitFor();
    await noEnglish(page, 'new case with an error');
    await page.getByLabel('Motif de consultation').fill('Éruption prurigineuse des avant-bras depuis 4 jours');
    await page.getByRole('button', { name: 'Envoyer au spécialiste' }).click();
    await page.getByTestId('case-page').waitFor();
    expect(await page.getByTestId('case-status').innerText()).toBe('En attente d’un spécialiste');
    await noEnglish(page, 'case page');
    const caseId = page.url().split('/').pop()!;

    // The specialist accepts and answers with CASEVAC advice; the officer's open page shows it as a banner.
    const doctor = await web.hub.login('doctor@minusca.demo');
    await web.hub.http().post(`/api/cases/${caseId}/accept`).set(bearer(doctor)).send({}).expect(200);
    await web.hub
      .http()
      .post(`/api/cases/${caseId}/answer`)
      .set(bearer(doctor))
      .send({ assessment: 'Gale croûteuse surinfectée.', recommendation: 'Traitement et antibiotiques IV.', evacuation: { type: 'casevac', priority: 'priority', destinationLevel: 2 } })
      .expect(200);
    await page.getByTestId('evacuation-banner').waitFor({ timeout: 15000 });
    expect(await page.getByTestId('evacuation-advice').innerText()).toBe('CASEVAC prioritaire vers un niveau 2');
    await page.getByRole('heading', { name: 'Réponse du spécialiste' }).waitFor();
    expect(await page.getByTestId('case-status').innerText()).toBe('Réponse reçue');
    await noEnglish(page, 'case page with the answer');

    // The notification of that answer, in French.
    await page.getByTestId('notification-bell').click();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await page.getByTestId('notifications').getByText(/le spécialiste a répondu — CASEVAC recommandée/).waitFor();
    await noEnglish(page, 'notifications');

    // The authenticator set-up page (Security in the top bar), in French.
    await page.getByRole('navigation').getByRole('link', { name: 'Sécurité' }).click();
    await page.getByRole('heading', { level: 1, name: 'Configurer votre application d’authentification' }).waitFor();
    expect(await page.title()).toBe('Configurer votre application d’authentification — Plateforme de télémédecine de terrain');
    await page.getByAltText('Code QR pour votre application d’authentification').waitFor();
    await page.getByRole('button', { name: 'Activer' }).waitFor();
    await noEnglish(page, 'security');

    // The case's live-consultation card and the pre-call check (camera, microphone, link test), in French.
    await page.goto(`${web.base}/cases/${caseId}`);
    await page.getByTestId('case-consultations').getByRole('heading', { name: 'Consultation en direct' }).waitFor();
    await page.getByRole('button', { name: 'Démarrer une consultation en direct' }).click();
    await page.getByRole('heading', { level: 1, name: 'Avant de rejoindre' }).waitFor();
    await page.getByTestId('probe-advice').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('probe-result').innerText()).toMatch(/Aller-retour/);
    await page.getByRole('button', { name: 'Rejoindre avec la vidéo' }).waitFor();
    await noEnglish(page, 'pre-call check');

    // Switching to English shows English at once and is stored on the account.
    await page.getByTestId('language-switch').selectOption('en');
    await page.getByRole('link', { name: 'My cases' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    const stored = async () => (await web.hub.db.dataSource.query(`SELECT locale FROM users WHERE email = 'officer@minusca.demo'`))[0].locale;
    for (let i = 0; i < 100 && (await stored()) !== 'en'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await stored()).toBe('en');
    await context.close();
  });
});

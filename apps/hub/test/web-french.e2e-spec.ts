import { generate } from 'otplib';
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

/**
 * Common English words of an interface that no French screen has (whole words; the walk's own data is French or
 * names). A sentence missing from the catalogues shows up here even when no catalogue holds it.
 */
const COMMON_ENGLISH = /\b(the|your|with|Save|Cancel|Submit|Search|Loading|Remove|Status|Email|Lessons?|Progress|Passed|Sign off|Members|Roles|Password|Create|Choose|Attempt|Certified|Certificates?|Users?|Waiting|Connection|Good|Weak|Audio only|Video|Reconnecting)\b/g;

/** English the demo data holds (names of missions, seeded courses): data, not interface, so not counted. */
const DATA = [
  'UN Multidimensional Integrated Stabilization Mission in the Central African Republic',
  'UN Mission in the Republic of South Sudan',
  'Telemedicine consultant',
  'Telemedicine user',
];

/** A sentence as a whole: "Progress" is not found inside "Progression". */
const whole = (s: string) => new RegExp(`(^|[^\\p{L}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u');
const ENGLISH_WHOLE = ENGLISH.map((s) => [s, whole(s)] as const);

async function noEnglish(page: Page, where: string) {
  // E-mail addresses (specialist@l4.demo) and the demo data's own English are not interface text.
  const text = DATA.reduce((t, d) => t.split(d).join(' '), await page.locator('body').innerText()).replace(/\S+@\S+/g, ' ');
  const found = ENGLISH_WHOLE.filter(([, re]) => re.test(text)).map(([s]) => s);
  expect([where, found]).toEqual([where, []]);
  expect([where, [...text.matchAll(COMMON_ENGLISH)].map((m) => m[0])]).toEqual([where, []]);
}

const PASSWORD = 'FieldHub!2026';

/**
 * A MINUSCA officer whose browser is in French (fr-FR) sees French everywhere this walk goes: sign-in (and its
 * error), home, a new case (with a validation error naming the clinical field once), the case page with the
 * specialist's answer and the evacuation banner, the notification of that answer, the authenticator set-up
 * page, and the case's live-consultation card with the pre-call check. Then the officer switches to
 * English, which is stored on the account. Then, still in fr-FR browsers: a learner takes a course and its quiz, a
 * trainer enrols them, signs off their skill and sees the certificate and the course editor; an administrator
 * manages users; and an officer in a live call (real SFU) reads the connection quality in French.
 */
jest.setTimeout(180_000);

describe('the web app in French (Chromium, fr-FR)', () => {
  let web: WebHub;
  beforeAll(async () => (web = await startWebHub({ MEDIA_ENABLED: 'true', MEDIA_WORKERS: '1', MEDIA_LISTEN_IP: '127.0.0.1' })));
  afterAll(() => web?.close());

  /** A fresh fr-FR browser signed in through the French sign-in page. */
  async function signInFrench(email: string): Promise<Page> {
    const context = await web.browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${web.base}/login`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('user-name').waitFor();
    return page;
  }

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

  it('shows the training screens in French to the learner and the trainer', async () => {
    const LEARNER = 'newofficer@minusca.demo';
    const TITLE = 'Photographier une lésion cutanée';
    const SKILL = 'A pris une photo de peau de qualité diagnostique';
    const trainerApi = bearer(await web.hub.login('trainer@minusca.demo'));
    const http = () => web.hub.http();
    const course = (
      await http()
        .post('/api/training/courses')
        .set(trainerApi)
        .send({ missionId: web.hub.ids.missions.MINUSCA, title: TITLE, description: 'Lumière, cadrage, **consentement**.', language: 'fr', targetRoles: ['field_medical_officer'], estimatedMinutes: 20, certificationKind: 'telemedicine_user', validityDays: 730 })
        .expect(201)
    ).body;
    for (const title of ['Le consentement', 'La lumière et la règle']) {
      await http().post(`/api/training/courses/${course.id}/lessons`).set(trainerApi).send({ title, body: `Leçon : **${title}**.`, estimatedMinutes: 5 }).expect(201);
    }
    await http()
      .put(`/api/training/courses/${course.id}/quiz`)
      .set(trainerApi)
      .send({ passMark: 100, maxAttempts: 3, cooldownMinutes: 0, questions: [{ type: 'single', text: 'Qu’obtient-on avant la photo ?', explanation: 'Pas de photo sans consentement.', options: [{ text: 'Le consentement du patient', correct: true }, { text: 'Rien', correct: false }] }] })
      .expect(200);
    await http().put(`/api/training/courses/${course.id}/checklist`).set(trainerApi).send({ items: [{ title: SKILL }] }).expect(200);
    await http().post(`/api/training/courses/${course.id}/publish`).set(trainerApi).expect(200);

    // The learner: my training, the course, both lessons, the quiz.
    const learner = await signInFrench(LEARNER);
    await learner.goto(`${web.base}/training`);
    await learner.getByRole('heading', { level: 1, name: 'Ma formation' }).waitFor();
    expect(await learner.title()).toBe('Ma formation — Plateforme de télémédecine de terrain');
    await learner.getByTestId('required-telemedicine_user').filter({ hasText: 'Non certifié' }).waitFor();
    await learner.getByRole('heading', { name: 'Certifications exigées pour mon rôle' }).waitFor();
    await noEnglish(learner, 'my training');
    await learner.getByRole('link', { name: TITLE }).first().click();
    await learner.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(await learner.getByTestId('course-needs').innerText()).toBe('Reste à faire : 2 leçons à lire ; réussir le quiz ; 1 compétence pratique à faire valider par un formateur.');
    await noEnglish(learner, 'course');
    await learner.getByRole('link', { name: 'Commencer la première leçon' }).click();
    await learner.getByTestId('lesson').getByText('Leçon 1 sur 2 · 5 min').waitFor();
    await noEnglish(learner, 'lesson');
    await learner.getByRole('button', { name: 'Marquer comme lue et continuer' }).click();
    await learner.getByTestId('lesson').getByRole('heading', { name: 'La lumière et la règle' }).waitFor();
    await learner.getByRole('button', { name: 'Marquer comme lue', exact: true }).click();
    // Marking the last lesson read takes the page back to the course once the hub has answered: wait for it, or that
    // late navigation undoes the click on the quiz link.
    await learner.waitForURL((u) => u.pathname === `/training/courses/${course.id}`);
    await learner.getByRole('link', { name: 'Aller au quiz' }).click();
    await learner.getByRole('heading', { level: 1, name: `Quiz : ${TITLE}` }).waitFor();
    expect(await learner.getByTestId('quiz-rules').innerText()).toBe('1 question · seuil de réussite 100 % · 3 tentatives restantes');
    await noEnglish(learner, 'quiz');

    // The trainer: a cohort with the learner and the course, then the learner's sign-off page.
    const trainer = await signInFrench('trainer@minusca.demo');
    await trainer.getByRole('navigation').getByRole('link', { name: 'Promotions' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Promotions' }).waitFor();
    await noEnglish(trainer, 'cohorts');
    const form = trainer.getByRole('form', { name: 'Nouvelle promotion' });
    await form.getByLabel('Nom de la promotion').fill('Relève BANBAT-14, janvier 2027');
    await form.getByLabel(LEARNER).check();
    await form.getByLabel(TITLE).check();
    await form.getByRole('button', { name: 'Créer la promotion' }).click();
    await trainer.getByRole('heading', { level: 1, name: 'Relève BANBAT-14, janvier 2027' }).waitFor();
    const cell = trainer.getByTestId(`progress-${LEARNER}-${course.id}`);
    expect(await cell.innerText()).toMatch(/en cours\s*leçons 2\/2 · quiz non réussi · compétences 0\/1\s*Validation/);
    await noEnglish(trainer, 'cohort');
    await cell.getByRole('link', { name: /^Validation de / }).click();
    await trainer.getByTestId('learner-page').waitFor();
    expect(await trainer.getByTestId('learner-summary').innerText()).toBe('Leçons 2/2 · quiz non réussi (0 tentative(s)) · compétences pratiques 0/1');
    await trainer.getByRole('form', { name: `Valider : ${SKILL}` }).getByLabel('Remarque').waitFor();
    await trainer.getByRole('region', { name: 'Certificats' }).getByText('Aucun certificat pour l’instant.').waitFor();
    await noEnglish(trainer, 'learner');

    // The course editor.
    await trainer.goto(`${web.base}/training/manage/${course.id}`);
    await trainer.getByRole('heading', { name: 'Liste de validation pratique' }).waitFor();
    await trainer.getByRole('button', { name: 'Publier la version 2' }).waitFor();
    await trainer.getByRole('form', { name: 'Leçon 1 : Le consentement' }).getByLabel('Titre de la leçon').waitFor();
    await trainer.getByRole('form', { name: 'Quiz' }).getByLabel('Seuil de réussite (%)').waitFor();
    await noEnglish(trainer, 'course editor');

    await learner.context().close();
    await trainer.context().close();
  });

  it('shows the administration of users in French', async () => {
    const admin = await signInFrench('admin@minusca.demo');
    // The role asks for an authenticator first, in French too.
    await admin.waitForURL('**/mfa-setup');
    const secret = (await admin.getByTestId('mfa-secret').innerText()).trim();
    await admin.getByLabel('Code d’authentification').fill(await generate({ secret }));
    await admin.getByRole('button', { name: 'Activer' }).click();
    await admin.getByTestId('home-mission_admin').waitFor();
    await admin.getByRole('navigation').getByRole('link', { name: 'Utilisateurs' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Utilisateurs' }).waitFor();
    expect(await admin.title()).toBe('Utilisateurs — Plateforme de télémédecine de terrain');
    const row = admin.getByRole('row').filter({ hasText: 'newofficer@minusca.demo' });
    await row.waitFor();
    expect(await row.innerText()).toContain('Médecin de terrain');
    expect(await admin.getByRole('columnheader').allInnerTexts()).toEqual(['Nom', 'Adresse e-mail', 'Rôles', 'Double auth.', 'Actif']);
    await admin.getByRole('search', { name: 'Rechercher des utilisateurs' }).getByLabel('Rechercher').waitFor();
    const form = admin.getByRole('form', { name: 'Nouvel utilisateur' });
    await form.getByLabel('Nom complet').waitFor();
    await form.getByLabel('Mot de passe initial').waitFor();
    expect(await form.getByLabel('Rôle').locator('option:checked').innerText()).toBe('Médecin de terrain');
    await noEnglish(admin, 'users');
    await row.getByRole('button').first().click();
    const panel = admin.getByTestId('user-panel');
    await panel.getByRole('heading', { name: 'Affectations' }).waitFor();
    await panel.getByRole('button', { name: 'Ajouter l’affectation' }).waitFor();
    await panel.getByRole('button', { name: 'Enregistrer les informations' }).waitFor();
    await noEnglish(admin, 'user panel');
    await admin.context().close();
  });

  it('shows the connection quality of a live call in French', async () => {
    // The officer chose English in the first walk: back to the browser's language.
    await web.hub.db.dataSource.query(`UPDATE users SET locale = NULL WHERE email = 'officer@minusca.demo'`);
    const officerApi = bearer(await web.hub.login('officer@minusca.demo'));
    const patient = (
      await web.hub
        .http()
        .post('/api/patients')
        .set(officerApi)
        .send({ serviceNumber: 'BAN-99002', firstName: 'Awa', lastName: 'Diallo', dateOfBirth: '1990-02-03', sex: 'female', nationality: 'SEN', contingent: 'SENBAT-3' })
        .expect(201)
    ).body;
    const caseId = (
      await web.hub
        .http()
        .post('/api/cases')
        .set(officerApi)
        .send({ patientId: patient.id, specialtyCode: 'dermatology', urgency: 'routine', presentingComplaint: 'Plaie de l’avant-bras à revoir en vidéo', question: 'Suture ou cicatrisation dirigée ?', consentGiven: true, submit: true })
        .expect(201)
    ).body.id;
    await web.hub.http().post(`/api/cases/${caseId}/accept`).set(bearer(await web.hub.login('doctor@minusca.demo'))).send({}).expect(200);

    const officer = await signInFrench('officer@minusca.demo');
    await officer.goto(`${web.base}/cases/${caseId}`);
    await officer.getByRole('button', { name: 'Démarrer une consultation en direct' }).click();
    await officer.getByRole('button', { name: 'Rejoindre avec la vidéo' }).click();
    await officer.getByTestId('waiting-room').waitFor({ timeout: 30_000 });
    await noEnglish(officer, 'waiting room');

    // The doctor (an English browser) opens the same consultation and admits the officer.
    const sessionId = new URL(officer.url()).pathname.split('/')[2];
    const doctor = await web.signIn('doctor@minusca.demo');
    await doctor.getByTestId('user-name').waitFor();
    await doctor.goto(`${web.base}/consultations/${sessionId}`);
    await doctor.getByTestId('waiting-list').getByRole('button', { name: /^Admit / }).click({ timeout: 60_000 });

    await officer.locator('[data-testid="call-page"][data-phase="in-call"]').waitFor({ timeout: 45_000 });
    const indicator = officer.getByTestId('quality-indicator');
    const french = Object.values(fr.callQuality.label).concat(fr.callQuality.audioCall, fr.callQuality.noVideoArriving);
    await indicator.waitFor();
    const said = (await indicator.innerText()).trim();
    expect(french.some((w) => said.startsWith(w))).toBe(true);
    expect(Object.values(en.callQuality.label).some((w) => said.includes(w))).toBe(false);
    // The technical figures hide behind a French "Détails" toggle once statistics have arrived.
    const details = officer.getByTestId('quality-details-toggle');
    if (await details.isVisible()) expect(await details.innerText()).toBe('Détails');
    await officer.getByRole('toolbar', { name: 'Commandes de l’appel' }).getByRole('button', { name: 'Couper le micro' }).waitFor();
    await noEnglish(officer, 'call');
    await officer.context().close();
    await doctor.context().close();
  }, 300_000);
});

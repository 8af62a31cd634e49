import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import PDFDocument from 'pdfkit';
import request from 'supertest';
import { bearer, startWebHub, WebHub } from '@hub/testing';

function pdf(text: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument();
    const parts: Buffer[] = [];
    doc.on('data', (b: Buffer) => parts.push(b));
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.text(text);
    doc.end();
  });
}

/**
 * The other training screens in Chromium: a trainer builds and publishes a course in the editor (bad quiz input is
 * refused with the problem beside its field), the health manager reads compliance (chart and table), the resource
 * centre searches per language and by tag, an administrator grants a waiver, and a trainer revokes a certificate
 * (which the public page then reports and the officer's New case page explains).
 */
describe('training screens in the web app (Chromium)', () => {
  let web: WebHub;
  let dir: string;

  beforeAll(async () => {
    web = await startWebHub();
    dir = mkdtempSync(join(tmpdir(), 'hub-training-'));
    writeFileSync(join(dir, 'sop-test-call.pdf'), await pdf('SOP: weekly test call with the reference hospital'));
  });
  afterAll(async () => {
    await web?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(email: string): Promise<Page> {
    const page = await web.signIn(email, undefined, { acceptDownloads: true });
    await page.getByTestId('user-name').waitFor(); // signed in (the sign-in page has a heading too)
    return page;
  }

  it('lets a trainer build, check and publish a course in the editor', async () => {
    const page = await signIn('trainer@minusca.demo');
    await page.getByRole('link', { name: /^Courses/ }).click();
    await page.getByRole('heading', { name: 'Courses', exact: true }).waitFor();
    const create = page.getByRole('form', { name: 'New course' });
    await create.getByLabel('Title').fill('Appel test hebdomadaire');
    await create.getByLabel('Description').fill('Préparer et réussir l’appel test avec l’hôpital de référence.');
    await create.getByLabel('Language').selectOption('fr');
    await create.getByLabel('Estimated duration (minutes)').fill('20');
    await create.getByRole('button', { name: 'Create course' }).click();
    await page.getByTestId('course-editor').waitFor();
    const courseId = page.url().split('/').pop()!;

    // a lesson, then its PDF
    const lesson = page.getByRole('form', { name: 'New lesson' });
    await lesson.getByLabel('Lesson title').fill('Avant l’appel');
    await lesson.getByLabel('Lesson text (markdown)').fill('Vérifiez **la caméra**, le micro et la bande passante.');
    await lesson.getByRole('button', { name: 'Add lesson' }).click();
    const saved = page.getByRole('form', { name: 'Lesson 1: Avant l’appel' });
    await saved.waitFor();
    await saved.getByLabel('Add image, PDF or video').setInputFiles(join(dir, 'sop-test-call.pdf'));
    await saved.getByText('sop-test-call.pdf').waitFor();
    expect(await saved.getByText('application/pdf').count()).toBe(1);

    // a quiz with a pass mark above 100 and a question without a right answer is refused, naming the problems
    const quiz = page.getByRole('form', { name: 'Quiz' });
    await quiz.getByLabel('Pass mark (%)').fill('120');
    await quiz.getByLabel('Cool-down after a failed attempt (minutes)').fill('0');
    const q1 = quiz.getByRole('group', { name: 'Question 1' });
    await q1.getByLabel('Question text').fill('Que vérifier avant l’appel ?');
    await q1.getByLabel('Option 1', { exact: true }).fill('La bande passante');
    await q1.getByLabel('Option 2', { exact: true }).fill('La météo');
    await q1.getByLabel('Explanation (shown after submitting)').fill('Sans bande passante, pas d’appel.');
    await quiz.getByRole('button', { name: 'Save quiz' }).click();
    await quiz.locator('.field-error').filter({ hasText: 'passMark must be between 0 and 100' }).waitFor();
    await quiz.getByLabel('Pass mark (%)').fill('50');
    // a multiple-choice question with no correct option
    await q1.getByLabel('Question type').selectOption('multiple');
    await q1.getByLabel('Option 1 is correct').uncheck();
    await quiz.getByRole('button', { name: 'Save quiz' }).click();
    await q1.locator('.field-error').filter({ hasText: 'no option is marked correct' }).waitFor();
    expect((await web.hub.db.dataSource.query('SELECT count(*)::int AS n FROM training_quizzes WHERE course_id = $1', [courseId]))[0].n).toBe(0);
    await q1.getByLabel('Option 1 is correct').check();
    await quiz.getByRole('button', { name: 'Save quiz' }).click();
    await quiz.getByRole('status').filter({ hasText: 'Quiz saved.' }).waitFor();
    const [stored] = await web.hub.db.dataSource.query('SELECT pass_mark, cooldown_minutes FROM training_quizzes WHERE course_id = $1', [courseId]);
    expect(stored).toEqual({ pass_mark: 50, cooldown_minutes: 0 });

    // a practical skill, then publication
    const checklist = page.getByRole('form', { name: 'Sign-off checklist' });
    await checklist.getByRole('button', { name: 'Add skill' }).click();
    await checklist.getByLabel('Skill 1', { exact: true }).fill('A réussi un appel test avec l’hôpital de référence');
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/training/courses/${courseId}`) && r.request().method() === 'GET'),
      checklist.getByRole('button', { name: 'Save checklist' }).click(),
    ]);
    expect((await web.hub.db.dataSource.query('SELECT title FROM training_checklist_items WHERE course_id = $1', [courseId])).map((r: { title: string }) => r.title)).toEqual([
      'A réussi un appel test avec l’hôpital de référence',
    ]);
    await page.getByRole('button', { name: 'Publish version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Version 1 published.' }).waitFor();
    await page.getByRole('button', { name: 'Publish version 2' }).waitFor();

    // a field officer of the mission finds it, reads the lesson and opens the PDF
    const officer = await signIn('officer@minusca.demo');
    await officer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Training' }).click();
    await officer.getByRole('link', { name: 'Appel test hebdomadaire' }).click();
    await officer.getByRole('link', { name: 'Start the first lesson' }).click();
    expect(await officer.getByTestId('lesson-body').locator('strong').textContent()).toBe('la caméra');
    const [download] = await Promise.all([officer.waitForEvent('download'), officer.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('sop-test-call.pdf');

    // archived, the course leaves the learners' list
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Archive course' }).click();
    await page.getByRole('status').filter({ hasText: 'Course archived.' }).waitFor();
    await page.getByRole('button', { name: 'Restore course' }).waitFor();
    await officer.goto(`${web.base}/training`);
    await officer.getByTestId('my-training').getByRole('heading', { name: 'Courses' }).waitFor();
    expect(await officer.getByRole('link', { name: 'Appel test hebdomadaire' }).count()).toBe(0);
  });

  it('shows the health manager the compliance of the mission staff', async () => {
    const page = await signIn('manager@minusca.demo');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compliance' }).click();
    const chart = page.getByTestId('chart-compliance');
    await chart.locator('.recharts-bar-rectangle path').first().waitFor();
    const table = page.getByTestId('compliance-table');
    const row = (email: string) => table.getByRole('row').filter({ hasText: email });
    expect(await row('newofficer@minusca.demo').textContent()).toMatch(/Telemedicine user.*Not certified/);
    expect(await row('officer@minusca.demo').filter({ hasNotText: 'newofficer' }).textContent()).toMatch(/Telemedicine user.*Certified/);
    expect(await table.textContent()).not.toContain('@unmiss.demo');
    const api = (await web.hub.http().get(`/api/training/compliance?missionId=${web.hub.ids.missions.MINUSCA}`).set(bearer(await web.hub.login('manager@minusca.demo'))).expect(200)).body;
    expect(await table.locator('tbody tr').count()).toBe(api.rows.length);
    await page.getByLabel('Status', { exact: true }).selectOption('missing');
    await table.locator('tbody tr').first().waitFor();
    const missing = api.rows.filter((r: { state: string }) => r.state === 'missing').length;
    expect(await table.locator('tbody tr').count()).toBe(missing);
  });

  it('searches the resource centre per language and by tag', async () => {
    const page = await signIn('officer@minusca.demo');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Resources' }).click();
    await page.getByLabel('Search', { exact: true }).fill('évacuation');
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=%C3%A9vacuation/);
    const docs = page.getByRole('list', { name: 'Documents' });
    // search results carry the highlighted match (the plain list does not): wait for them, not for the earlier list
    await docs.locator('mark').first().waitFor();
    await docs.getByRole('link', { name: /PON : demander une évacuation sanitaire/ }).waitFor();
    expect((await docs.locator('mark').first().textContent())!.toLowerCase()).toMatch(/évacuation/);
    expect(await docs.getByRole('link').allTextContents()).not.toContain('SOP: requesting a MEDEVAC after a teleconsultation');
    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByLabel('Language').selectOption('');
    await page.getByRole('button', { name: '#ecg' }).click();
    await page.waitForURL(/tag=ecg/);
    await docs.getByRole('link', { name: 'Recording a 12-lead ECG for remote reading' }).waitFor();
    await docs.getByRole('link').nth(1).waitFor({ state: 'detached' }); // the unfiltered list gives way to the tag's
    expect(await docs.getByRole('link').count()).toBe(1);
    await docs.getByRole('link').click();
    await page.getByTestId('resource-body').filter({ hasText: 'calibration pulse' }).waitFor();
  });

  it('lets an administrator grant a waiver, after which the new officer may open a case', async () => {
    const admin = await signIn('admin@minusca.demo');
    await admin.waitForURL('**/mfa-setup');
    const secret = (await admin.getByTestId('mfa-secret').textContent())!.trim();
    await admin.getByLabel('Authentication code').fill(await generate({ secret }));
    await admin.getByRole('button', { name: 'Turn on' }).click();
    await admin.getByTestId('home-mission_admin').waitFor();
    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Waivers' }).click();
    const form = admin.getByRole('form', { name: 'Grant a waiver' });
    await form.getByLabel('Person').selectOption({ label: 'Dr. New Officer (MINUSCA) (newofficer@minusca.demo)' });
    await form.getByLabel('Certification').selectOption('telemedicine_user');
    await form.getByRole('button', { name: 'Grant waiver' }).click();
    await form.locator('.field-error').filter({ hasText: /reason/i }).waitFor(); // a reason is required, said beside it
    await form.getByLabel('Reason').fill('Course starts next week; only clinician at Bria this week');
    await form.getByRole('button', { name: 'Grant waiver' }).click();
    await admin.getByRole('cell', { name: 'Course starts next week; only clinician at Bria this week' }).waitFor();
    const [audit] = await web.hub.db.dataSource.query("SELECT count(*)::int AS n FROM audit_entries WHERE action = 'training.waiver_granted'");
    expect(audit.n).toBe(1);

    const officer = await signIn('newofficer@minusca.demo');
    await officer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Training' }).click();
    await officer.getByTestId('required-telemedicine_user').filter({ hasText: 'Waiver' }).waitFor();
    await officer.goto(`${web.base}/cases/new`);
    await officer.getByRole('heading', { name: 'New teleconsultation case' }).waitFor();
    await officer.getByLabel('Patient', { exact: true }).waitFor();
    expect(await officer.getByTestId('certification-required').count()).toBe(0);
    expect(await officer.getByRole('button', { name: 'Send to specialist' }).isDisabled()).toBe(false);
  });

  it('lets a trainer revoke a certificate with a reason; the public page and the officer see it', async () => {
    const trainer = await signIn('trainer@minusca.demo');
    await trainer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cohorts' }).click();
    await trainer.getByRole('link', { name: 'MINUSCA incoming rotation 2026-1' }).click();
    const progress = trainer.getByTestId('cohort-progress');
    await progress.waitFor();
    const officerRow = progress.getByRole('row').filter({ hasText: 'officer@minusca.demo' }).filter({ hasNotText: 'newofficer' });
    const certifiedCell = officerRow.getByRole('cell').filter({ has: trainer.locator('.status.valid') });
    await certifiedCell.waitFor();
    await certifiedCell.getByRole('link', { name: /Sign-off for Dr\. Field Officer/ }).click();
    await trainer.getByTestId('learner-page').waitFor();
    const certs = trainer.getByRole('region', { name: 'Certificates' });
    const code = (await certs.getByTestId('certificate-code').first().textContent())!.trim();
    await certs.getByRole('button', { name: 'Revoke…' }).click();
    const revoke = trainer.getByRole('form', { name: `Revoke certificate ${code}` });
    await revoke.getByLabel('Reason for revocation').fill('Sent identifiable photos over an unapproved channel');
    await revoke.getByRole('button', { name: 'Revoke certificate' }).click();
    await certs.getByTestId(`certificate-${code}`).filter({ hasText: /revoked.*Sent identifiable photos/ }).waitFor();

    const verified = await request(web.base).get(`/api/certificates/verify/${code}`).expect(200);
    expect(verified.body.status).toBe('revoked');
    const stranger = await (await web.browser.newContext()).newPage();
    await stranger.goto(`${web.base}/verify/${code}`);
    await stranger.getByTestId('verdict').filter({ hasText: 'Revoked certificate' }).waitFor();
    expect(await stranger.textContent('body')).not.toContain('unapproved channel');

    const officer = await signIn('officer@minusca.demo');
    await officer.goto(`${web.base}/cases/new`);
    const gate = officer.getByTestId('certification-required');
    await gate.waitFor();
    expect(await gate.textContent()).toMatch(/Telemedicine user certificate was revoked/);
    expect(await gate.getByRole('link').count()).toBeGreaterThan(1);
  });

  it('tells a reference doctor whose certificate was revoked why the queue cannot be worked', async () => {
    const trainer = bearer(await web.hub.login('trainer@unmiss.demo'));
    const doctorId = web.hub.ids.users['doctor@unmiss.demo'];
    const [cert] = (await web.hub.http().get(`/api/training/certificates?userId=${doctorId}`).set(trainer).expect(200)).body;
    expect(cert.kind).toBe('telemedicine_consultant');
    await web.hub.http().post(`/api/training/certificates/${cert.id}/revoke`).set(trainer).send({ reason: 'Audit of answers pending' }).expect(200);

    const doctor = await signIn('doctor@unmiss.demo');
    await doctor.getByRole('link', { name: /My queue/ }).first().click();
    const gate = doctor.getByTestId('certification-required');
    await gate.waitFor();
    expect(await gate.textContent()).toMatch(/You cannot accept or answer cases yet: your Telemedicine consultant certificate was revoked/);
    await gate.getByRole('link', { name: 'Telemedicine consultant' }).click();
    await doctor.getByRole('heading', { name: 'Telemedicine consultant' }).waitFor();
  });

  it('shows the cool-down after a failed attempt and the attempts left', async () => {
    const trainer = bearer(await web.hub.login('trainer@minusca.demo'));
    const http = () => web.hub.http();
    const course = (
      await http()
        .post('/api/training/courses')
        .set(trainer)
        .send({ missionId: web.hub.ids.missions.MINUSCA, title: 'Cool-down drill', description: 'One question.', language: 'en', targetRoles: ['field_medical_officer'], estimatedMinutes: 5 })
        .expect(201)
    ).body;
    await http()
      .put(`/api/training/courses/${course.id}/quiz`)
      .set(trainer)
      .send({ passMark: 100, maxAttempts: 2, cooldownMinutes: 30, questions: [{ type: 'true_false', text: 'The sky is green.', explanation: 'It is not.', options: [{ text: 'True', correct: false }, { text: 'False', correct: true }] }] })
      .expect(200);
    await http().post(`/api/training/courses/${course.id}/lessons`).set(trainer).send({ title: 'Colours', body: 'The sky is blue.' }).expect(201);
    await http().post(`/api/training/courses/${course.id}/publish`).set(trainer).expect(200);

    const page = await signIn('officer@minusca.demo');
    await page.goto(`${web.base}/training/courses/${course.id}/quiz`);
    await page.getByRole('button', { name: 'Start the quiz' }).click();
    await page.getByRole('group', { name: /The sky is green/ }).getByLabel('True', { exact: true }).check();
    await page.getByRole('button', { name: 'Submit answers' }).click();
    await page.getByTestId('quiz-verdict').filter({ hasText: 'Not passed' }).waitFor();
    await page.getByTestId('quiz-result').getByTestId('key-withheld').waitFor();
    expect(await page.getByTestId('quiz-result').getByText('It is not.').count()).toBe(0);
    await page.getByTestId('quiz-blocked').filter({ hasText: /^Next attempt possible from / }).waitFor();
    await page.getByTestId('quiz-rules').filter({ hasText: '1 attempt left · 30 min to wait after a failed attempt' }).waitFor();
    expect(await page.getByRole('button', { name: /Start/ }).count()).toBe(0);
    // the server agrees: no second attempt yet
    const again = await http().post(`/api/training/courses/${course.id}/attempts`).set(bearer(await web.hub.login('officer@minusca.demo')));
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
    expect((await web.hub.db.dataSource.query('SELECT count(*)::int AS n FROM training_attempts WHERE course_id = $1', [course.id]))[0].n).toBe(1);
  });
});

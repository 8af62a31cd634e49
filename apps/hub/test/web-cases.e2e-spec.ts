import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { bearer, startWebHub, WebHub } from '@hub/testing';
import { caseBody } from './fixtures';

/**
 * The whole teleconsultation loop in two Chromium windows: the officer registers a patient and sends an urgent
 * dermatology case with a photo; the doctor sees it arrive in the queue without reloading, asks for more
 * information; the officer answers with a second photo; the doctor answers with MEDEVAC advice; the officer files
 * the outcome and the case closes; the doctor sees the outcome.
 */
describe('teleconsultation loop in the web app (Chromium)', () => {
  let web: WebHub;
  let dir: string;

  beforeAll(async () => {
    web = await startWebHub();
    dir = mkdtempSync(join(tmpdir(), 'hub-photos-'));
    for (const [name, colour] of [['rash.jpg', { r: 200, g: 80, b: 80 }], ['rash-closeup.jpg', { r: 180, g: 60, b: 70 }]] as const) {
      await sharp({ create: { width: 640, height: 480, channels: 3, background: colour } }).jpeg().toFile(join(dir, name));
    }
  });
  afterAll(async () => {
    await web?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(email: string): Promise<Page> {
    const page = await web.signIn(email);
    await page.getByRole('heading', { level: 1 }).waitFor();
    return page;
  }

  it('closes the loop', async () => {
    const officer = await signIn('officer@minusca.demo');
    const doctor = await signIn('doctor@minusca.demo');
    await doctor.getByRole('link', { name: 'My queue' }).first().click();
    await doctor.getByTestId('cases-queue').waitFor();

    // the officer registers the patient
    await officer.getByRole('navigation').getByRole('link', { name: 'My patients' }).click();
    await officer.getByLabel('Service number').fill('BAN-77001');
    await officer.getByLabel('First name').fill('Karim');
    await officer.getByLabel('Last name').fill('Hossain');
    await officer.getByLabel('Date of birth').fill('1991-07-21');
    await officer.getByLabel('Nationality (ISO code)').fill('BGD');
    await officer.getByLabel('Contingent').fill('BANBAT-12');
    await officer.getByRole('button', { name: 'Register patient' }).click();
    await officer.getByRole('cell', { name: 'Hossain, Karim' }).waitFor();

    // and opens an urgent dermatology case with a photo
    await officer.getByRole('table').getByRole('link', { name: 'New case' }).click();
    await officer.getByLabel('Specialty').selectOption('dermatology');
    await officer.getByLabel('Urgency').selectOption('urgent');
    await officer.getByLabel('Presenting complaint').fill('Itchy rash on both forearms for 4 days');
    await officer.getByLabel('Heart rate (/min)').fill('84');
    await officer.getByLabel('Temperature (°C)').fill('37.4');
    await officer.getByLabel('Question to the specialist').fill('Scabies or drug eruption?');
    await officer.getByLabel('Photos, ECG, X-ray').setInputFiles(join(dir, 'rash.jpg'));
    await officer.getByLabel('The patient consents to this teleconsultation').check();
    await officer.getByRole('button', { name: 'Send to specialist' }).click();
    await officer.getByTestId('case-page').waitFor();
    expect(await officer.getByTestId('case-status').textContent()).toBe('Waiting for a specialist');
    await officer.getByAltText('rash.jpg').waitFor();
    const caseUrl = officer.url();

    // the doctor's queue shows it without a reload
    const row = doctor.getByRole('row', { name: /Hossain, Karim/ });
    await row.waitFor({ timeout: 15000 });
    await row.getByRole('link').click();
    await doctor.getByRole('button', { name: 'Accept case' }).click();
    await doctor.getByRole('button', { name: 'Ask for more information' }).waitFor();
    await doctor.getByLabel('Message or question').fill('Please send a close-up of the wrist.');
    await doctor.getByRole('button', { name: 'Ask for more information' }).click();
    await doctor.getByTestId('case-status').getByText('Information requested').waitFor();

    // the officer's open case page updates by itself
    await officer.getByTestId('case-status').getByText('Information requested').waitFor({ timeout: 15000 });
    await officer.getByLabel('Information for the specialist').fill('Close-up attached; burrows between the fingers.');
    await officer.getByLabel('Add photos').setInputFiles(join(dir, 'rash-closeup.jpg'));
    await officer.getByRole('button', { name: 'Send information' }).click();
    await officer.getByAltText('rash-closeup.jpg').waitFor();

    // the doctor answers with MEDEVAC advice
    await doctor.getByTestId('case-status').getByText('Information sent').waitFor({ timeout: 15000 });
    await doctor.getByAltText('rash-closeup.jpg').waitFor();
    await doctor.getByLabel('Assessment').fill('Crusted scabies with secondary infection.');
    await doctor.getByLabel('Recommendation').fill('Start treatment; evacuate for IV antibiotics.');
    await doctor.getByLabel('Evacuation advice').selectOption('medevac');
    await doctor.getByLabel('Evacuation priority').selectOption('priority');
    await doctor.getByLabel('Destination level').selectOption('2');
    await doctor.getByRole('button', { name: 'Send answer' }).click();
    await doctor.getByTestId('case-answer').waitFor();

    // the officer reads the answer and files the outcome
    // The advice reads as words, at the top of the case ("priority priority" was the walkthrough's complaint).
    await officer.getByTestId('evacuation-banner').waitFor({ timeout: 15000 });
    expect(await officer.getByTestId('evacuation-advice').textContent()).toBe('MEDEVAC, priority, to Level 2');
    await officer.getByLabel('Outcome', { exact: true }).selectOption('evacuated');
    await officer.getByLabel('Evacuation done').check();
    await officer.getByLabel('Outcome note').fill('Flown to Bangui Level 2 the same day.');
    await officer.getByRole('button', { name: 'Report outcome and close' }).click();
    await officer.getByTestId('case-status').getByText('Closed').waitFor();

    // and the doctor sees what happened to the patient
    await doctor.getByTestId('case-outcome').getByText(/Evacuated/).waitFor({ timeout: 15000 });
    expect(await doctor.getByTestId('case-status').textContent()).toBe('Closed');
    const id = caseUrl.split('/').pop();
    const [{ status }] = await web.hub.db.dataSource.query('SELECT status FROM referral_cases WHERE id = $1', [id]);
    expect(status).toBe('closed');
  });

  it('says when a search finds nothing, and asks before cancelling a case', async () => {
    const officer = await signIn('officer@minusca.demo');
    await officer.getByRole('navigation').getByRole('link', { name: 'My patients' }).click();
    await officer.getByLabel('Search patients').fill('Zzyzx-nobody');
    await officer.getByText('Nothing matches “Zzyzx-nobody”.').waitFor();

    // a submitted case, made through the API
    const api = bearer(await web.hub.login('officer@minusca.demo'));
    const patient = await web.hub.http().post('/api/patients').set(api)
      .send({ serviceNumber: 'BAN-77002', firstName: 'Awa', lastName: 'Traoré', dateOfBirth: '1990-03-02', sex: 'female', nationality: 'SEN', contingent: 'SENBAT-3' })
      .expect(201);
    const made = await web.hub.http().post('/api/cases').set(api)
      .send(caseBody(patient.body.id, { submit: true }))
      .expect(201);
    const status = async () => (await web.hub.db.dataSource.query('SELECT status FROM referral_cases WHERE id = $1', [made.body.id]))[0].status;
    await officer.goto(`${web.base}/cases/${made.body.id}`);
    await officer.getByTestId('case-page').waitFor();

    // the first press only asks; "No" keeps the case, with focus on that safe answer
    await officer.getByRole('button', { name: 'Cancel case' }).click();
    const confirm = officer.getByRole('alertdialog', { name: 'Cancel case' });
    await confirm.getByText(/The specialist will be told, and the case cannot be reopened/).waitFor();
    expect(await officer.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('No, keep it');
    await confirm.getByRole('button', { name: 'No, keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await status()).toBe('submitted');

    // "Yes" cancels it
    await officer.getByRole('button', { name: 'Cancel case' }).click();
    await officer.getByRole('alertdialog', { name: 'Cancel case' }).getByRole('button', { name: 'Yes, cancel the case' }).click();
    await officer.getByTestId('case-status').getByText('Cancelled').waitFor();
    expect(await status()).toBe('cancelled');
    await officer.context().close();
  });
});

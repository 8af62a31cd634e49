import type { Page } from 'playwright-core';
import { Clock } from '@hub/common';
import { bearer, startWebHub, WebHub } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

const DAY = 24 * 3600 * 1000;

/**
 * Follow-up plans in Chromium: the specialist writes a plan (a medication, two checks) with the answer; the officer
 * sees the plan, records the day 3 check from the case page and the vital signs appear in the trend; when the clock
 * passes day 7 the unrecorded check shows as overdue on the officer's home.
 */
describe('follow-up plan in the web app (Chromium)', () => {
  let web: WebHub;
  let now: number;
  beforeAll(async () => {
    web = await startWebHub({}, undefined, { hubJobs: false });
    now = Date.now();
    jest.spyOn(web.hub.app.get(Clock), 'now').mockImplementation(() => new Date(now));
  });
  afterAll(() => web?.close());

  async function signIn(email: string): Promise<Page> {
    const page = await web.signIn(email);
    // signed in once the home page of the caller's role shows
    await page.locator('[data-testid^="home-"]').waitFor();
    return page;
  }

  it('sets a plan with the answer, records a check, charts it and shows the overdue one', async () => {
    const hub = web.hub;
    const officerApi = bearer(await hub.login('officer@minusca.demo'));
    const doctorApi = bearer(await hub.login('doctor@minusca.demo'));
    const patientId = (await hub.http().post('/api/patients').set(officerApi).send({ ...PATIENT, serviceNumber: 'BAN-2026-0555' }).expect(201)).body.id;
    const id = (await hub.http().post('/api/cases').set(officerApi).send(caseBody(patientId, { submit: true })).expect(201)).body.id;
    await hub.http().post(`/api/cases/${id}/accept`).set(doctorApi).expect(200);

    // the specialist answers with a plan
    const doctor = await signIn('doctor@minusca.demo');
    await doctor.goto(`${web.base}/cases/${id}`);
    await doctor.getByLabel('Assessment').fill('Infected laceration of the forearm');
    await doctor.getByLabel('Recommendation').fill('Oral antibiotics, daily dressing');
    const editor = doctor.getByTestId('plan-editor');
    await editor.getByRole('button', { name: 'Add a medication' }).click();
    const med = editor.getByTestId('plan-medication-0');
    await med.getByLabel('Drug').fill('Amoxicillin');
    await med.getByLabel('Dose').fill('500 mg');
    await med.getByLabel('Frequency').fill('every 8 hours');
    await med.getByLabel('Days').fill('7');
    await editor.getByRole('button', { name: 'Add a check' }).click();
    const check3 = editor.getByTestId('plan-check-0');
    await check3.getByLabel('Day').fill('3');
    await check3.getByLabel('HR', { exact: true }).check();
    await check3.getByLabel('T °C').check();
    await editor.getByRole('button', { name: 'Add a check' }).click();
    const check7 = editor.getByTestId('plan-check-1');
    await check7.getByLabel('Day').fill('7');
    await check7.getByLabel('Question to answer').fill('Is the wound closing?');
    await doctor.getByRole('button', { name: 'Send answer' }).click();
    await doctor.getByTestId('care-plan').waitFor();
    await doctor.getByText('Amoxicillin 500 mg, oral, every 8 hours, for 7 day(s)').waitFor();

    // day 3: the officer records the check from the case page
    now += 3 * DAY + 60_000;
    const officer = await signIn('officer@minusca.demo');
    await officer.getByTestId('due-checks').getByRole('link', { name: /day 3 · due today/ }).click();
    const row3 = officer.getByTestId('check-day-3');
    await row3.waitFor();
    expect(await row3.getAttribute('data-state')).toBe('due');
    const form = officer.getByTestId('record-check-3');
    await form.getByLabel('Heart rate (/min)').fill('97');
    await form.getByRole('button', { name: 'Record this check' }).click();
    // a missing sign is named, in words, beside its field
    await form.getByText(/temperatureC/).first().waitFor();
    await form.getByLabel('Temperature (°C)').fill('38.2');
    await form.getByRole('button', { name: 'Record this check' }).click();
    await officer.locator('[data-testid="check-day-3"][data-state="recorded"]').waitFor();
    // the trend across the patient's cases: at submission (88) and the check (97)
    const trend = officer.getByTestId('vital-trends-table');
    await trend.getByRole('cell', { name: '97', exact: true }).waitFor();
    await trend.getByRole('cell', { name: '88', exact: true }).waitFor();
    expect(await officer.getByTestId('vital-trends').locator('svg .recharts-line').count()).toBeGreaterThanOrEqual(2);

    // day 9: the day 7 check is overdue on the officer's home
    now += 6 * DAY;
    await officer.goto(`${web.base}/`);
    await officer.getByTestId('due-checks').getByRole('link', { name: /day 7 · overdue/ }).waitFor();
  });
});

import type { Page } from 'playwright-core';
import { startWebHub, WebHub } from '@hub/testing';
import { outOfScopeCase } from './break-glass-matrix';

/**
 * Break-the-glass in Chromium: a doctor opens a case outside their scope ("not found"), states a reason and reads it
 * under a banner naming the reason and the end; the health manager finds it on the review screen and flags it.
 */
describe('break-the-glass in the web app (Chromium)', () => {
  let web: WebHub;
  beforeAll(async () => {
    web = await startWebHub({}, undefined, { hubJobs: false });
  });
  afterAll(() => web?.close());

  async function signIn(email: string): Promise<Page> {
    const page = await web.signIn(email);
    await page.locator('[data-testid^="home-"]').waitFor();
    return page;
  }

  it('opens a case in an emergency under a banner, and the manager reviews it', async () => {
    const caseId = await outOfScopeCase(web.hub, 'own');
    const doctor = await signIn('doctor@minusca.demo');
    await doctor.goto(`${web.base}/cases/${caseId}`);
    const form = doctor.getByTestId('break-glass-form');
    await form.waitFor({ timeout: 15_000 });
    await form.getByLabel('Reason').fill('Patient unconscious, need his allergies');
    await form.getByRole('button', { name: 'Open in an emergency' }).click();
    const banner = doctor.getByTestId('emergency-banner');
    await banner.waitFor({ timeout: 15_000 });
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('Emergency access — Patient unconscious, need his allergies — ends at ');
    expect(text).toMatch(/ends at \d{2}:\d{2}/);
    await doctor.getByTestId('case-page').waitFor();
    await doctor.context().close();

    const manager = await signIn('manager@minusca.demo');
    await manager.getByRole('link', { name: 'Emergency access', exact: true }).click();
    const item = manager.getByTestId('break-glass-grant').filter({ hasText: 'Patient unconscious, need his allergies' });
    await item.waitFor({ timeout: 15_000 });
    await item.getByLabel('Review note').fill('No emergency recorded at that time');
    await item.getByRole('button', { name: 'Flag' }).click();
    // flagged ones leave the "to review" list
    await item.waitFor({ state: 'detached', timeout: 15_000 });
    const [g] = await web.hub.db.dataSource.query('SELECT review_state, review_note FROM break_glass_grants WHERE case_id = $1', [caseId]);
    expect(g).toEqual({ review_state: 'flagged', review_note: 'No emergency recorded at that time' });
    await manager.context().close();
  }, 180_000);
});

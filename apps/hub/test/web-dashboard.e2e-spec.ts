import { readFileSync } from 'node:fs';
import { Clock } from '@hub/common';
import { bearer, startWebHub, WebHub } from '@hub/testing';
import { seedDashboardCases } from './fixtures';

/** The health manager's dashboard in Chromium: charts drawn, a filter applied (kept in the URL), CSV = API. */
describe('caseload dashboard in the web app (Chromium)', () => {
  let web: WebHub;
  beforeAll(async () => {
    web = await startWebHub({}, async (hub) => {
      jest.spyOn(hub.app.get(Clock), 'now').mockReturnValue(new Date('2026-06-15T12:00:00Z'));
      await seedDashboardCases(hub);
    });
  });
  afterAll(() => web?.close());

  it('draws the charts, filters through the URL and downloads the numbers', async () => {
    const page = await web.signIn('manager@minusca.demo', undefined, { acceptDownloads: true, viewport: { width: 1280, height: 1000 } });
    await page.getByRole('link', { name: 'Caseload dashboard' }).click();
    await page.getByRole('heading', { name: 'Caseload dashboard' }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2026-06-01');
    await page.getByLabel('To', { exact: true }).fill('2026-06-14');
    await page.getByLabel('Specialty', { exact: true }).selectOption('surgery');
    await page.waitForURL(/specialty=surgery/);
    expect(page.url()).toMatch(/from=2026-06-01/);

    // every chart is drawn with bars
    for (const id of ['cases-per-week', 'open-cases', 'response-times', 'outcomes']) {
      const chart = page.getByTestId(`chart-${id}`);
      await chart.locator('svg.recharts-surface').first().waitFor();
    }
    await page.getByTestId('chart-cases-per-week').locator('.recharts-bar-rectangle path').first().waitFor();
    expect(await page.getByTestId('chart-cases-per-week').locator('.recharts-bar-rectangle path').count()).toBeGreaterThan(0);

    // the CSV carries the same numbers as the API
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('chart-cases-per-week').getByRole('button', { name: 'CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    const api = (
      await web.hub.http().get('/api/monitoring/dashboard?from=2026-06-01&to=2026-06-14&specialty=surgery').set(bearer(await web.hub.login('manager@minusca.demo'))).expect(200)
    ).body;
    expect(csv[0]).toBe('week,opened,answered,closed');
    expect(csv.slice(1)).toEqual(api.weekly.map((w: { week: string; opened: number; answered: number; closed: number }) => `${w.week},${w.opened},${w.answered},${w.closed}`));
    expect(csv.slice(1)).toEqual(['2026-06-01,0,0,0', '2026-06-08,2,1,0']);
    // legends name each series in words, never by its data key (`1_24h`, `answer_median_min`)
    const legends = page.locator('.recharts-legend-item-text');
    await legends.first().waitFor();
    const words = await legends.allInnerTexts();
    expect(words).toEqual(expect.arrayContaining(['Opened', 'Answered', 'Closed', 'Under 1 hour', '1 to 24 hours', '1 to 3 days', 'Over 3 days', 'Median', '90th percentile']));
    expect(words.filter((w) => /_|^\d+_|_min$/.test(w))).toEqual([]);
    // alerts are shown
    await page.getByRole('region', { name: 'Alerts' }).getByText(/Bria Level 1 Clinic/).waitFor();
    await page.screenshot({ path: '/tmp/dashboard.png', fullPage: true });
  });
});

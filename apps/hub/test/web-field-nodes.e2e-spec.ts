import { randomBytes } from 'node:crypto';
import { Clock } from '@hub/common';
import { MonitoringService } from '@hub/monitoring';
import { DEMO_PASSWORD } from '../src/seed/demo-seed';
import { startWebHub, WebHub } from '@hub/testing';

const CLINIC = 'Bangui Level 1 Clinic (BANBAT)';

/**
 * The field nodes on the health manager's dashboard in Chromium, in French and in the reader's time zone: the table
 * of nodes (a silent one flagged), the `field_node_silent` alert and its notification in the reader's words.
 */
describe('field nodes on the dashboard in the web app (Chromium, fr-FR)', () => {
  let web: WebHub;
  let lastContact: Date;

  beforeAll(async () => {
    web = await startWebHub(
      { FIELD_NODE_SILENT_HOURS: '6' },
      async (hub) => {
        const admin = (await hub.login('admin@minusca.demo')).accessToken;
        const reg = await hub.http().post('/api/sync/nodes').set('Authorization', `Bearer ${admin}`).send({ facilityId: hub.ids.facilities[CLINIC], name: 'Bangui test node' }).expect(201);
        await hub.http().post('/api/sync/enrol').send({ code: reg.body.enrolmentCode, credential: randomBytes(32).toString('base64url'), version: '0.1.0' }).expect(200);
        const [row] = await hub.db.dataSource.query('SELECT last_contact_at FROM field_nodes WHERE id = $1', [reg.body.id]);
        lastContact = new Date(row.last_contact_at);
        // Seven hours later, without a word from the node: over the hub's six.
        jest.spyOn(hub.app.get(Clock), 'now').mockReturnValue(new Date(lastContact.getTime() + 7 * 3600_000));
        expect(await hub.app.get(MonitoringService).pushFieldNodeAlerts()).toBeGreaterThan(0);
      },
      { hubJobs: false },
    );
  });
  afterAll(() => web?.close());

  it('shows the silent node, its alert and the notification in French, in the reader’s time zone', async () => {
    const context = await web.browser.newContext({ locale: 'fr-FR', timezoneId: 'Africa/Bangui', viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${web.base}/login`);
    await page.getByLabel('Adresse e-mail').fill('manager@minusca.demo');
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('user-name').waitFor();
    await page.goto(`${web.base}/dashboard`);

    const nodes = page.getByTestId('field-nodes');
    await nodes.waitFor();
    const row = nodes.getByRole('row', { name: /Bangui test node/ });
    expect(await row.innerText()).toMatch(/Bangui test node\s+Bangui Level 1 Clinic \(BANBAT\)\s+silencieux depuis plus de 6 h/);
    // the demo node never enrolled
    expect(await nodes.getByRole('row', { name: /Bangui Level 1 node/ }).innerText()).toMatch(/inscription en attente\s+jamais/);

    // formatted by the browser itself (its time zone is Bangui's), so the check does not depend on Node's ICU
    const since = await page.evaluate((iso) => new Date(iso).toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'short' }), lastContact.toISOString());
    const sentence = `Bangui test node (${CLINIC}) n’a pas joint le hub depuis ${since} (alerte après 6 h) : vérifiez la liaison et l’alimentation de la clinique`;
    await page.getByRole('region', { name: 'Alertes' }).getByText(sentence).waitFor();

    await page.goto(`${web.base}/notifications`);
    await page.getByTestId('notifications').getByText(sentence).waitFor();
    await context.close();
  });
});

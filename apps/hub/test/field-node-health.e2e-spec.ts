import { randomBytes } from 'node:crypto';
import { Clock } from '@hub/common';
import type { DashboardView, FieldNodeHealth, NotificationView } from '@hub/contracts';
import { MonitoringService } from '@hub/monitoring';
import { bearer, createTestHub, TestHub } from '@hub/testing';

const CLINIC = 'Bangui Level 1 Clinic (BANBAT)';
const HOUR = 3600_000;

/**
 * The field nodes on the health manager's dashboard (last contact, backlog, version, revoked) and the
 * `field_node_silent` alert (docs/monitoring.md, "Field nodes"): raised once per silence when a node has not reached
 * the hub for the mission's threshold (or FIELD_NODE_SILENT_HOURS), cleared with a notice when it is back. The clock
 * of the hub is moved; the node's contacts are real sync calls.
 */
describe('field nodes on the dashboard, and the silent-node alert', () => {
  let hub: TestHub;
  let now: Date;
  let manager: { Authorization: string };
  let admin: { Authorization: string };
  let missionId: string;
  let nodeId: string;
  let nodeAuth: string;

  beforeAll(async () => {
    hub = await createTestHub({ FIELD_NODE_SILENT_HOURS: '6' }, { hubJobs: false });
    now = new Date();
    jest.spyOn(hub.app.get(Clock), 'now').mockImplementation(() => now);
    manager = bearer(await hub.login('manager@minusca.demo'));
    admin = bearer(await hub.login('admin@minusca.demo'));
    missionId = hub.ids.missions.MINUSCA;
    const reg = await hub.http().post('/api/sync/nodes').set(admin).send({ facilityId: hub.ids.facilities[CLINIC], name: 'Bangui test node' }).expect(201);
    const credential = randomBytes(32).toString('base64url');
    nodeId = (await hub.http().post('/api/sync/enrol').send({ code: reg.body.enrolmentCode, credential, version: '0.1.0' }).expect(200)).body.nodeId;
    nodeAuth = `Node ${credential}`;
  });
  afterAll(() => hub?.close());

  /** A sync call from the node: counts as contact, and reports its backlog and version. */
  const contact = (backlog: number) => hub.http().post('/api/sync/push').set('Authorization', nodeAuth).send({ operations: [], backlog, version: '0.1.1' }).expect(200);
  const dashboard = async (who = manager): Promise<DashboardView> => (await hub.http().get('/api/monitoring/dashboard').query({ missionId }).set(who).expect(200)).body;
  const ours = (d: DashboardView): FieldNodeHealth => d.fieldNodes.find((n) => n.id === nodeId)!;
  const notes = async (code: string): Promise<NotificationView[]> =>
    ((await hub.http().get('/api/notifications').set(manager).expect(200)).body as NotificationView[]).filter((n) => n.code === code);
  const pushAlerts = () => hub.app.get(MonitoringService).pushFieldNodeAlerts();

  it("lists the mission's nodes with last contact, backlog and version; not another mission's", async () => {
    await contact(7);
    const d = await dashboard();
    expect(ours(d)).toEqual({
      id: nodeId,
      name: 'Bangui test node',
      missionId,
      facilityId: hub.ids.facilities[CLINIC],
      facilityName: CLINIC,
      status: 'active',
      enrolledAt: now.toISOString(),
      lastContactAt: now.toISOString(),
      backlog: 7,
      version: '0.1.1',
      revokedAt: null,
      silent: false,
      silentAfterHours: 6,
    });
    // the demo node registered but never enrolled is listed as such
    expect(d.fieldNodes.find((n) => n.name === 'Bangui Level 1 node')).toMatchObject({ status: 'awaiting_enrolment', enrolledAt: null, lastContactAt: null, silent: false });
    expect(d.alerts.filter((a) => a.kind === 'field_node_silent')).toEqual([]);
    // another mission's manager sees none of MINUSCA's nodes, and MINUSCA's own answers 404 to them
    const other = bearer(await hub.login('manager@unmiss.demo'));
    const theirs = (await hub.http().get('/api/monitoring/dashboard').set(other).expect(200)).body as DashboardView;
    expect(theirs.fieldNodes.map((n) => n.missionId)).not.toContain(missionId);
    await hub.http().get('/api/monitoring/dashboard').query({ missionId }).set(other).expect(404);
    // filtered on another clinic, the node is not listed
    const bria = (await hub.http().get('/api/monitoring/dashboard').query({ missionId, facilityId: hub.ids.facilities['Bria Level 1 Clinic (ZAMBAT)'] }).set(manager).expect(200)).body as DashboardView;
    expect(bria.fieldNodes).toEqual([]);
  });

  it('takes the threshold from the mission when it sets one, and refuses a bad one naming the field', async () => {
    const bad = await hub.http().patch(`/api/missions/${missionId}`).set(admin).send({ fieldNodeSilentHours: 0 }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('fieldNodeSilentHours');
    await hub.http().patch(`/api/missions/${missionId}`).set(admin).send({ fieldNodeSilentHours: 'soon' }).expect(400);
    const set = await hub.http().patch(`/api/missions/${missionId}`).set(admin).send({ fieldNodeSilentHours: 48 }).expect(200);
    expect(set.body.fieldNodeSilentHours).toBe(48);
    now = new Date(now.getTime() + 7 * HOUR);
    expect(ours(await dashboard())).toMatchObject({ silent: false, silentAfterHours: 48 });
    expect(await pushAlerts()).toBe(0);
    const cleared = await hub.http().patch(`/api/missions/${missionId}`).set(admin).send({ fieldNodeSilentHours: null }).expect(200);
    expect(cleared.body.fieldNodeSilentHours).toBeNull();
  });

  it('raises the alert once per silence, on the dashboard and to the health managers, and clears it when the node is back', async () => {
    const lastContact = new Date(now.getTime() - 7 * HOUR).toISOString();
    // 7 h without contact, over the hub's 6 h: silent
    const d = await dashboard();
    expect(ours(d)).toMatchObject({ silent: true, silentAfterHours: 6, lastContactAt: lastContact });
    const alert = d.alerts.find((a) => a.kind === 'field_node_silent');
    expect(alert).toMatchObject({
      missionId,
      nodeId,
      code: 'caseload.field_node_silent',
      params: { node: 'Bangui test node', facility: CLINIC, since: lastContact, hours: 6 },
    });
    expect(alert!.text).toMatch(/^Bangui test node \(Bangui Level 1 Clinic \(BANBAT\)\) has not reached the hub since /);

    // told once to the mission's health managers, not again on the next runs (even hours later)
    expect(await pushAlerts()).toBeGreaterThan(0);
    const told = await notes('caseload.field_node_silent');
    expect(told).toEqual([expect.objectContaining({ kind: 'caseload.alert', params: { node: 'Bangui test node', facility: CLINIC, since: lastContact, hours: 6 } })]);
    expect(await pushAlerts()).toBe(0);
    now = new Date(now.getTime() + 5 * HOUR);
    expect(await pushAlerts()).toBe(0);
    expect(await notes('caseload.field_node_silent')).toHaveLength(1);
    // another mission's manager is not told
    const other = bearer(await hub.login('manager@unmiss.demo'));
    const theirs = (await hub.http().get('/api/notifications').set(other).expect(200)).body as NotificationView[];
    expect(theirs.filter((n) => n.code === 'caseload.field_node_silent')).toEqual([]);

    // the node reaches the hub again: the alert is gone from the dashboard, and the managers are told once
    await contact(0);
    const back = await dashboard();
    expect(ours(back)).toMatchObject({ silent: false, backlog: 0, lastContactAt: now.toISOString() });
    expect(back.alerts.filter((a) => a.kind === 'field_node_silent')).toEqual([]);
    expect(await pushAlerts()).toBeGreaterThan(0);
    expect(await notes('caseload.field_node_back')).toEqual([expect.objectContaining({ params: { node: 'Bangui test node', facility: CLINIC, since: lastContact } })]);
    expect(await pushAlerts()).toBe(0);

    // silent again later: a new silence, raised again once
    now = new Date(now.getTime() + 8 * HOUR);
    expect(await pushAlerts()).toBeGreaterThan(0);
    expect(await pushAlerts()).toBe(0);
    expect(await notes('caseload.field_node_silent')).toHaveLength(2);
  });

  it('a revoked node is listed as revoked, never as silent, and its alert is cleared without a "back" notice', async () => {
    await hub.http().post(`/api/sync/nodes/${nodeId}/revoke`).set(admin).expect(200);
    now = new Date(now.getTime() + 24 * HOUR);
    const d = await dashboard();
    expect(ours(d)).toMatchObject({ status: 'revoked', silent: false, revokedAt: expect.any(String) });
    expect(d.alerts.filter((a) => a.kind === 'field_node_silent')).toEqual([]);
    expect(await pushAlerts()).toBe(0);
    expect(await notes('caseload.field_node_back')).toHaveLength(1);
    const [{ n }] = await hub.db.dataSource.query('SELECT count(*)::int AS n FROM field_node_alerts WHERE node_id = $1', [nodeId]);
    expect(n).toBe(0);
  });
});

import { Clock } from '@hub/common';
import { MonitoringService } from '@hub/monitoring';
import { bearer, createTestHub, TestHub } from '@hub/testing';
import { seedDashboardCases } from './fixtures';

/**
 * Every number of the caseload dashboard, checked exactly against cases seeded with known timestamps.
 * "Now" is Monday 2026-06-15 12:00 UTC; the period is 2026-06-01 .. 2026-06-14 (two weeks).
 */
describe('caseload dashboard numbers', () => {
  let hub: TestHub;
  let manager: { Authorization: string };
  const NOW = new Date('2026-06-15T12:00:00Z');
  const PERIOD = 'from=2026-06-01&to=2026-06-14';

  beforeAll(async () => {
    hub = await createTestHub({ LOG_LEVEL: 'error' }, { hubJobs: false });
    jest.spyOn(hub.app.get(Clock), 'now').mockReturnValue(NOW);
    manager = bearer(await hub.login('manager@minusca.demo'));
    await seedDashboardCases(hub);
  });
  afterAll(() => hub.close());

  const get = async (query: string, who = manager) => (await hub.http().get(`/api/monitoring/dashboard?${query}`).set(who).expect(200)).body;

  it('counts cases opened, answered and closed per week', async () => {
    const d = await get(PERIOD);
    expect(d.weekly).toEqual([
      { week: '2026-06-01', opened: 2, answered: 2, closed: 1 },
      { week: '2026-06-08', opened: 2, answered: 1, closed: 1 },
    ]);
  });

  it('counts open cases by urgency and age', async () => {
    const d = await get(PERIOD);
    expect(d.openByUrgency).toEqual([
      { urgency: 'emergency', under1h: 0, h1to24: 0, d1to3: 0, over3d: 0 },
      { urgency: 'urgent', under1h: 0, h1to24: 0, d1to3: 0, over3d: 0 },
      { urgency: 'routine', under1h: 0, h1to24: 0, d1to3: 0, over3d: 1 },
    ]);
  });

  it('gives medians, p90 and the share within SLA, overall and per group', async () => {
    const d = await get(PERIOD);
    expect(d.responseTimes.overall).toEqual({
      key: 'all', label: 'All cases', cases: 4,
      acceptMedianMin: 30, acceptP90Min: 54, answerMedianMin: 120, answerP90Min: 1224, withinSlaShare: 0.5,
    });
    expect(d.responseTimes.bySpecialty).toEqual([
      { key: 'dermatology', label: 'Dermatology', cases: 2, acceptMedianMin: 45, acceptP90Min: 57, answerMedianMin: 810, answerP90Min: 1362, withinSlaShare: 0.5 },
      { key: 'surgery', label: 'Surgery', cases: 2, acceptMedianMin: 10, acceptP90Min: 10, answerMedianMin: 50, answerP90Min: 50, withinSlaShare: 0.5 },
    ]);
    expect(d.responseTimes.byUrgency.map((r: { key: string; cases: number; withinSlaShare: number }) => [r.key, r.cases, r.withinSlaShare])).toEqual([
      ['emergency', 1, 1], ['routine', 1, 0], ['urgent', 2, 0.5],
    ]);
    expect(d.responseTimes.byFacility).toEqual([expect.objectContaining({ label: 'Bangui Level 1 Clinic (BANBAT)', cases: 4 })]);
    expect(d.responseTimes.byReferenceHospital.map((r: { label: string; cases: number }) => [r.label, r.cases])).toEqual([
      ['Bangui Level 2 Hospital', 3], ['not yet taken', 1],
    ]);
  });

  it('counts SLA breaches, escalations, outcomes and evacuations', async () => {
    const d = await get(PERIOD);
    expect(d.sla).toEqual({ answeredLate: 1, unansweredPastDeadline: 1, escalatedToBackup: 1, escalatedToManager: 0 });
    expect(d.outcomes).toEqual({
      treatedLocally: 1, evacuated: 1, transferred: 0, died: 0, other: 0,
      evacuationsRecommended: 1, evacuationsPerformed: 1, evacuationsAvoided: 0,
    });
  });

  it('raises the alerts: dormant clinic, breach rate, overdue outcome report', async () => {
    const d = await get(PERIOD);
    const texts = d.alerts.map((a: { kind: string; text: string }) => `${a.kind}: ${a.text}`);
    expect(texts).toEqual([
      'dormant_site: Bria Level 1 Clinic (ZAMBAT): no teleconsultation for 14+ days (never)',
      "sla_breach_rate: MINUSCA: 100% of last week's cases missed their answer deadline (alert above 20%)",
      'outcome_overdue: 1 outcome report(s) overdue',
    ]);
    // pushed to the mission's health managers once a day, not to anyone else
    const monitoring = hub.app.get(MonitoringService);
    const first = await monitoring.pushAlerts();
    expect(first).toBe(3 + 1); // MINUSCA's three alerts to its manager, UNMISS's dormant Malakal clinic to theirs
    expect(await monitoring.pushAlerts()).toBe(0);
    const notes = (await hub.http().get('/api/notifications').set(manager).expect(200)).body;
    expect(notes.filter((n: { kind: string }) => n.kind === 'caseload.alert')).toHaveLength(3);
  });

  it('applies filters', async () => {
    const d = await get(`${PERIOD}&specialty=surgery`);
    expect(d.weekly).toEqual([
      { week: '2026-06-01', opened: 0, answered: 0, closed: 0 },
      { week: '2026-06-08', opened: 2, answered: 1, closed: 0 },
    ]);
    const single = await get(`${PERIOD}&urgency=emergency`);
    expect(single.responseTimes.overall).toEqual({
      key: 'all', label: 'All cases', cases: 1, acceptMedianMin: 10, acceptP90Min: 10, answerMedianMin: 50, answerP90Min: 50, withinSlaShare: 1,
    });
  });

  it('answers zeros and nulls for an empty period', async () => {
    const d = await get('from=2025-01-01&to=2025-01-07');
    expect(d.weekly.every((w: { opened: number; answered: number; closed: number }) => w.opened + w.answered + w.closed === 0)).toBe(true);
    expect(d.responseTimes.overall).toEqual({ key: 'all', label: 'All cases', cases: 0, acceptMedianMin: null, acceptP90Min: null, answerMedianMin: null, answerP90Min: null, withinSlaShare: null });
    expect(d.responseTimes.bySpecialty).toEqual([]);
  });

  it('keeps each mission to itself', async () => {
    const other = bearer(await hub.login('manager@unmiss.demo'));
    await hub.http().get(`/api/monitoring/dashboard?missionId=${hub.ids.missions.MINUSCA}`).set(other).expect(404);
    const own = await get(PERIOD, other);
    expect(own.responseTimes.overall.cases).toBe(1); // only UNMISS's own case
    const sys = bearer(await hub.login('sysadmin@hub.demo'));
    expect((await get(PERIOD, sys)).responseTimes.overall.cases).toBe(5);
  });

  it('rejects bad filters naming them', async () => {
    const bad = await hub.http().get('/api/monitoring/dashboard?from=2026-06-10&to=2026-06-01').set(manager).expect(400);
    expect(bad.body.message).toMatch(/from/);
    const bad2 = await hub.http().get('/api/monitoring/dashboard?urgency=asap').set(manager).expect(400);
    expect(bad2.body.fields[0].field).toBe('urgency');
  });
});

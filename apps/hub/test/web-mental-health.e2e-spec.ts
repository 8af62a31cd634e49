import type { Page } from 'playwright-core';
import { MediaService } from '@hub/media';
import { startWebHub, waitFor, WebHub } from '@hub/testing';
import { PATIENT } from './fixtures';

/**
 * Mental-health sessions in the web app (Chromium, fake microphone, real SFU): the Level 4 psychologist (Nairobi)
 * publishes slots on the slots screen; the MINUSCA officer (Bangui) sees them in Bangui time and books one for a
 * patient; the health manager's case list and the case page never show the sensitive case while the dashboard
 * counts it; both join the session from their lists, audio only: audio flows both ways (inbound-rtp bytes grow)
 * and the SFU holds no video producer.
 */
jest.setTimeout(240_000);

interface Inbound { kind: string; source: string; participantId: string; bytesReceived: number }
interface CallHook {
  inbound(): Promise<Inbound[]>;
  getState(): { participantId: string | null; phase: string };
}
declare const window: { __call?: CallHook };

describe('mental-health sessions in the web app (Chromium, real SFU)', () => {
  let web: WebHub;
  let psychologist: Page;
  let officer: Page;
  let caseId: string;
  let sessionId: string;
  const day = new Date(Date.now() + 2 * 86400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    web = await startWebHub({ MEDIA_ENABLED: 'true', MEDIA_WORKERS: '1', MEDIA_LISTEN_IP: '127.0.0.1' }, async (hub) => {
      const o = { Authorization: `Bearer ${(await hub.login('officer@minusca.demo')).accessToken}` };
      await hub.http().post('/api/patients').set(o).send({ ...PATIENT, serviceNumber: 'BAN-MH-0001' }).expect(201);
    }, { hubJobs: false });
  });
  afterAll(() => web?.close());

  async function signedIn(email: string): Promise<Page> {
    const page = await web.signIn(email);
    await page.getByTestId('user-name').waitFor();
    return page;
  }

  it('the psychologist publishes slots, in Nairobi time', async () => {
    psychologist = await signedIn('psychologist@l4.demo');
    await psychologist.getByRole('link', { name: 'My session slots' }).click();
    await psychologist.getByRole('heading', { name: 'Mental-health session slots' }).waitFor();
    await psychologist.getByTestId('mh-zone').filter({ hasText: 'Africa/Nairobi' }).waitFor();
    await psychologist.getByLabel('Date').fill(day);
    await psychologist.getByLabel('Start time (Africa/Nairobi)').fill('09:00');
    await psychologist.getByLabel('Length of each session').selectOption('50');
    await psychologist.getByLabel('Number of consecutive slots').fill('2');
    await psychologist.getByRole('button', { name: 'Publish slots' }).click();
    await psychologist.getByTestId('mh-slot').nth(1).waitFor({ timeout: 15_000 });
    const slots = await psychologist.getByTestId('mh-slot').allTextContents();
    expect(slots[0]).toContain(`${day} 09:00 · Africa/Nairobi (UTC+03:00)`);
    expect(slots[1]).toContain(`${day} 09:50 · Africa/Nairobi (UTC+03:00)`);
    expect(slots[0]).toContain('free');
    const stored = await web.hub.db.dataSource.query('SELECT starts_at FROM mental_health_slots ORDER BY starts_at');
    expect(stored.map((r: { starts_at: Date }) => r.starts_at.toISOString())).toEqual([`${day}T06:00:00.000Z`, `${day}T06:50:00.000Z`]);
  });

  it('the officer sees them in Bangui time and books one for a patient', async () => {
    officer = await signedIn('officer@minusca.demo');
    await officer.getByRole('link', { name: 'Mental health' }).click();
    await officer.getByRole('heading', { name: 'Book a mental-health session' }).waitFor();
    const first = officer.getByTestId('mh-open-slot').first();
    await first.waitFor({ timeout: 15_000 });
    expect(await first.textContent()).toContain(`${day} 07:00 · Africa/Bangui (UTC+01:00)`);
    expect(await first.textContent()).toContain('Dr. Level 4 Psychologist');
    await first.getByRole('radio').check();
    await officer.getByLabel('Patient', { exact: true }).selectOption({ label: `${PATIENT.lastName}, ${PATIENT.firstName}` });
    await officer.getByLabel('Why the session is needed (kept private)').fill('Nightmares since the convoy ambush');
    await officer.getByRole('button', { name: 'Book this session' }).click();
    await officer.getByTestId('mh-booked').waitFor({ timeout: 15_000 });
    expect(await officer.getByTestId('mh-booked').textContent()).toContain(`${day} 07:00`);
    await officer.getByTestId('mh-booking').first().waitFor();
    expect(await officer.getByTestId('mh-booking').first().textContent()).toContain('chat not kept');
    // the booked slot is no longer offered
    await waitFor(async () => (await officer.getByTestId('mh-open-slot').count()) === 1, 10_000, 'one open slot left');
    const [b] = await web.hub.db.dataSource.query('SELECT case_id, consultation_session_id FROM mental_health_bookings');
    caseId = b.case_id;
    sessionId = b.consultation_session_id;
  });

  it('the health manager never sees the case in lists or on its page; the dashboard counts it', async () => {
    const reference = `C-${caseId.slice(0, 8).toUpperCase()}`;
    const manager = await signedIn('manager@minusca.demo');
    await manager.getByRole('link', { name: 'Mission cases', exact: true }).click();
    await manager.getByTestId('cases-mine').waitFor();
    // the mission's only case is the sensitive one: the manager's list has loaded and is empty
    await manager.getByText('No case yet.').waitFor({ timeout: 15_000 });
    expect(await manager.getByTestId('cases-mine').textContent()).not.toContain(reference);
    await manager.goto(`${web.base}/cases/${caseId}`);
    await manager.getByRole('alert').first().waitFor({ timeout: 15_000 });
    expect(await manager.locator('main').textContent()).not.toContain('Nightmares');
    const token = (await web.hub.login('manager@minusca.demo')).accessToken;
    const dash = await web.hub.http().get(`/api/monitoring/dashboard?missionId=${web.hub.ids.missions.MINUSCA}&specialty=mental_health`).set('Authorization', `Bearer ${token}`).expect(200);
    const routine = dash.body.openByUrgency.find((r: { urgency: string }) => r.urgency === 'routine');
    expect(routine.under1h + routine.h1to24 + routine.d1to3 + routine.over3d).toBe(1);
    await manager.context().close();
  });

  it('both join the session audio only: audio flows both ways, no video producer', async () => {
    // the officer joins from the list and waits for the psychologist
    await officer.getByTestId('mh-join').first().click();
    await officer.getByTestId('call-page').waitFor();
    await officer.getByTestId('private-session').waitFor({ timeout: 20_000 });
    expect(await officer.getByTestId('private-session').textContent()).toContain('Chat is not kept');
    await officer.getByTestId('waiting-room').waitFor({ timeout: 20_000 });

    await psychologist.reload();
    await psychologist.getByTestId('mh-join').first().click();
    await psychologist.locator('[data-testid="call-page"][data-phase="in-call"]').waitFor({ timeout: 30_000 });
    await psychologist.getByTestId('waiting-list').getByRole('button', { name: /^Admit / }).click();
    await officer.locator('[data-testid="call-page"][data-phase="in-call"]').waitFor({ timeout: 30_000 });

    const inbound = (page: Page) => page.evaluate(() => window.__call!.inbound());
    for (const [page, who] of [[officer, 'officer'], [psychologist, 'psychologist']] as const) {
      let last = '';
      await waitFor(async () => {
        const a = await inbound(page);
        await page.waitForTimeout(1500);
        const b = await inbound(page);
        last = JSON.stringify(b);
        const audio = b.filter((x) => x.kind === 'audio');
        return audio.length > 0 && audio.every((x) => x.bytesReceived > (a.find((y) => y.participantId === x.participantId && y.kind === 'audio')?.bytesReceived ?? Infinity));
      }, 40_000, `${who}: inbound audio growing (${last})`);
      expect((await inbound(page)).filter((x) => x.kind === 'video')).toEqual([]);
    }
    const room = web.hub.app.get(MediaService).getRoom(sessionId)!;
    const producers = [...room.peers.values()].flatMap((p) => [...p.producers.values()]);
    expect(producers.map((p) => p.producer.kind).sort()).toEqual(['audio', 'audio']);
  });
});

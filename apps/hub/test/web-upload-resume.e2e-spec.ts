import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startWebHub, WebHub } from '@hub/testing';

/** Length of the cut; the acceptance run uses 60 s (set WEB_UPLOAD_CUT_SECONDS to try others). */
const CUT_SECONDS = Number(process.env.WEB_UPLOAD_CUT_SECONDS ?? 60);

/**
 * A photo sent with a new case over a slow link that drops for a minute mid-upload (Chromium, DevTools network
 * emulation): the page says the link is lost, keeps the bar where it was, resumes within 2 s of the link returning,
 * and the hub ends up with the very same bytes and exactly one case.
 */
describe('photo upload across a cut link (Chromium)', () => {
  let web: WebHub;
  let dir: string;
  let patientId: string;

  beforeAll(async () => {
    web = await startWebHub();
    dir = mkdtempSync(join(tmpdir(), 'hub-cut-'));
    // noise does not compress: a photo of some 700 kB, about 15 s at the throttled upload rate
    await sharp({ create: { width: 1000, height: 800, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
      .jpeg({ quality: 90 })
      .toFile(join(dir, 'wound.jpg'));
    const officer = await web.hub.login('officer@minusca.demo');
    const res = await web.hub
      .http()
      .post('/api/patients')
      .set('Authorization', `Bearer ${officer.accessToken}`)
      .send({ serviceNumber: 'SEN-30077', firstName: 'Awa', lastName: 'Diop', dateOfBirth: '1994-11-02', sex: 'female', nationality: 'SEN', contingent: 'SENBAT-2' });
    expect(res.status).toBe(201);
    patientId = res.body.id;
  });
  afterAll(async () => {
    await web?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`completes across a ${CUT_SECONDS} s cut with identical bytes, the bar never going back`, async () => {
    const page = await web.signIn('officer@minusca.demo');
    await page.getByRole('heading', { level: 1 }).waitFor();
    const cdp = await page.context().newCDPSession(page);
    const slow = { offline: false, latency: 150, downloadThroughput: 256 * 1024, uploadThroughput: 48 * 1024 };
    await page.getByRole('link', { name: 'New teleconsultation case' }).click();
    await page.getByLabel('Patient', { exact: true }).locator(`option[value="${patientId}"]`).waitFor({ state: 'attached' });
    await page.getByLabel('Patient', { exact: true }).selectOption(patientId);
    await page.getByLabel('Specialty').selectOption('dermatology');
    await page.getByLabel('Presenting complaint').fill('Infected laceration of the shin, photo across a cut');
    await page.getByLabel('Question to the specialist').fill('Debride here or evacuate?');
    await page.getByLabel('Photos, ECG, X-ray').setInputFiles(join(dir, 'wound.jpg'));
    await page.getByLabel('The patient consents to this teleconsultation').check();
    await cdp.send('Network.emulateNetworkConditions', slow);

    // every 100 ms: the bar's value and the words beside it
    const samples: { at: number; value: number; text: string }[] = [];
    // the form's bar (the outbox list under the top bar shows the same upload)
    const bar = page.getByRole('form', { name: 'New case' }).getByLabel('Upload of wound.jpg');
    const state = page.getByRole('form', { name: 'New case' }).getByTestId('upload-state-wound.jpg');
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          if (await bar.count()) samples.push({ at: Date.now(), value: Number(await bar.getAttribute('value')), text: (await state.textContent()) ?? '' });
        } catch {
          // the page navigated away
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const last = () => samples[samples.length - 1];
    const waitFor = async (what: string, ok: () => boolean, timeout: number) => {
      const until = Date.now() + timeout;
      while (!ok()) {
        if (Date.now() > until) throw new Error(`${what}: not within ${timeout} ms (last sample ${JSON.stringify(last())})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await page.getByRole('button', { name: 'Send to specialist' }).click();
    await waitFor('upload under way', () => (last()?.value ?? 0) >= 20, 60_000);

    // the link drops for a minute
    await cdp.send('Network.emulateNetworkConditions', { ...slow, offline: true });
    const cutAt = Date.now();
    await waitFor('"Link lost — will resume" shown', () => last()?.text === 'Link lost — will resume', 15_000);
    const heldAt = last().value;
    await new Promise((r) => setTimeout(r, CUT_SECONDS * 1000 - (Date.now() - cutAt)));
    expect(last().text).toBe('Link lost — will resume');
    expect(last().value).toBeGreaterThanOrEqual(heldAt);

    // it comes back: resuming within 2 s, from where it was
    await cdp.send('Network.emulateNetworkConditions', slow);
    const backAt = Date.now();
    await waitFor('resumed', () => last()?.at > backAt && last().text !== 'Link lost — will resume', 5_000);
    const resumedAfter = samples.find((s) => s.at > backAt && s.text !== 'Link lost — will resume')!.at - backAt;
    expect(resumedAfter).toBeLessThanOrEqual(2000);

    await page.getByTestId('case-page').waitFor({ timeout: 90_000 });
    sampling = false;
    await sampler;
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    // the bar never went back, and said what happened in words
    const values = samples.map((s) => s.value);
    for (let i = 1; i < values.length; i++) expect([i, values[i] >= values[i - 1]]).toEqual([i, true]);
    expect(samples.some((s) => /^Resuming at \d+ %$/.test(s.text) || /^\d+%$/.test(s.text))).toBe(true);
    expect(samples.every((s) => !s.text.includes('[object'))).toBe(true);

    // exactly one case, submitted, whose photo has the very bytes of the file
    const cases = (await web.hub.db.dataSource.query('SELECT id, status FROM referral_cases WHERE presenting_complaint = $1', [
      'Infected laceration of the shin, photo across a cut',
    ])) as { id: string; status: string }[];
    expect(cases).toHaveLength(1);
    expect(cases[0].status).toBe('submitted');
    const officer = await web.hub.login('officer@minusca.demo');
    const view = await web.hub.http().get(`/api/cases/${cases[0].id}`).set('Authorization', `Bearer ${officer.accessToken}`);
    expect(view.body.attachments).toHaveLength(1);
    const file = await web.hub
      .http()
      .get(`/api/cases/${cases[0].id}/attachments/${view.body.attachments[0].id}`)
      .set('Authorization', `Bearer ${officer.accessToken}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(file.status).toBe(200);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(file.body as Buffer)).toBe(sha(readFileSync(join(dir, 'wound.jpg'))));
    await page.context().close();
  }, 300_000);
});

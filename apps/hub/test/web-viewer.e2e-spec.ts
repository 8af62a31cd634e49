import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { bearer, makeDicom, startWebHub, WebHub } from '@hub/testing';

/**
 * The doctor opens a case's photos full size: zoom and pan, before/after side by side, the original bytes
 * downloaded identical; and a DICOM X-ray (generated here, byte by byte) drawn in the browser with window/level.
 */
/** Polls a condition (bounded), failing with what was awaited. */
async function until(check: () => Promise<boolean>, what: string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('attachment viewer (Chromium)', () => {
  let web: WebHub;
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    web = await startWebHub();
    dir = mkdtempSync(join(tmpdir(), 'hub-viewer-'));
    // Large enough that the 120 px thumbnail and the original differ; noise so the JPEG is not trivially small.
    const noise = Buffer.alloc(1600 * 1200 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
    files.before = join(dir, 'wound-day1.jpg');
    files.after = join(dir, 'wound-day5.png');
    files.xray = join(dir, 'chest.dcm');
    await sharp(noise, { raw: { width: 1600, height: 1200, channels: 3 } }).jpeg({ quality: 80 }).toFile(files.before);
    await sharp({ create: { width: 900, height: 700, channels: 3, background: { r: 30, g: 140, b: 60 } } }).png().toFile(files.after);
    writeFileSync(files.xray, makeDicom({ rows: 96, columns: 96, windowCenter: 2000, windowWidth: 4000 }));
  });
  afterAll(async () => {
    await web?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens photos full size with zoom, side by side, downloads the original bytes, and renders DICOM with window/level', async () => {
    // The officer sends a case with two photos and an X-ray through the web app (DICOM accepted by its bytes).
    const session = await web.hub.login('officer@minusca.demo');
    const patient = await web.hub
      .http()
      .post('/api/patients')
      .set(bearer(session))
      .send({ serviceNumber: 'BAN-88001', firstName: 'Rafi', lastName: 'Ahmed', dateOfBirth: '1990-02-03', sex: 'male', nationality: 'BGD', contingent: 'BANBAT-12' })
      .expect(201);
    const officer = await web.signIn('officer@minusca.demo');
    await officer.getByTestId('home-field_medical_officer').waitFor();
    await officer.goto(`${web.base}/cases/new?patient=${patient.body.id}`);
    await officer.getByLabel('Specialty').selectOption('surgery');
    await officer.getByLabel('Presenting complaint').fill('Infected wound of the left calf');
    await officer.getByLabel('Question to the specialist').fill('Debridement here or evacuate?');
    await officer.getByLabel('Photos, ECG, X-ray').setInputFiles([files.before, files.after, files.xray]);
    await officer.getByLabel('The patient consents to this teleconsultation').check();
    await officer.getByRole('button', { name: 'Send to specialist' }).click();
    await officer.getByTestId('case-page').waitFor();
    await officer.getByAltText('wound-day1.jpg').waitFor({ timeout: 30000 });
    const stored = await web.hub.db.dataSource.query(
      `SELECT filename, media_type FROM case_attachments WHERE case_id = $1 ORDER BY filename`,
      [officer.url().split('/').pop()],
    );
    expect(stored).toEqual([
      { filename: 'chest.dcm', media_type: 'application/dicom' },
      { filename: 'wound-day1.jpg', media_type: 'image/jpeg' },
      { filename: 'wound-day5.png', media_type: 'image/png' },
    ]);

    // Full size: the viewer shows the original 1600 px picture, not the thumbnail.
    await officer.getByRole('button', { name: 'Open wound-day1.jpg full size' }).click();
    const viewer = officer.getByTestId('viewer');
    await viewer.waitFor();
    const full = viewer.getByTestId('viewer-pane').getByRole('img', { name: 'wound-day1.jpg' });
    await full.waitFor();
    await until(async () => (await full.evaluate((img: any) => img.naturalWidth)) === 1600, 'the original picture, 1600 px wide');

    // Zoom in with the button and with the wheel: the scale grows.
    const pane = viewer.getByTestId('viewer-pane');
    expect(await pane.getAttribute('data-scale')).toBe('1.00');
    await pane.getByRole('button', { name: 'Zoom in' }).click();
    await until(async () => Number(await pane.getAttribute('data-scale')) > 1.2, 'zoomed in by the button');
    const box = (await full.boundingBox())!;
    await officer.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const before = Number(await pane.getAttribute('data-scale'));
    await officer.mouse.wheel(0, -400);
    await until(async () => Number(await pane.getAttribute('data-scale')) > before, 'zoomed in by the wheel');

    // The original bytes, identical to what the officer sent.
    const [download] = await Promise.all([officer.waitForEvent('download'), viewer.getByRole('button', { name: 'Download original' }).click()]);
    expect(download.suggestedFilename()).toBe('wound-day1.jpg');
    expect(readFileSync((await download.path())!).equals(readFileSync(files.before))).toBe(true);

    // Before/after side by side.
    await viewer.getByTestId('viewer-compare').selectOption({ label: 'wound-day5.png' });
    await viewer.getByTestId('viewer-pane-compare').getByRole('img', { name: 'wound-day5.png' }).waitFor();
    expect(await viewer.getByRole('img').count()).toBe(2);

    // Escape closes it.
    await officer.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });

    // The X-ray: drawn by dwv from the DICOM bytes, with window/level from the file, changed by dragging.
    await officer.getByRole('button', { name: 'Open chest.dcm full size' }).click();
    const dicom = officer.getByTestId('viewer-pane');
    await until(async () => (await dicom.getAttribute('data-state')) === 'ready', 'the DICOM image drawn', 30000);
    expect(await dicom.getAttribute('data-window')).toBe('4000/2000');
    // The canvas holds a real picture: not all one colour.
    const distinct = await officer.locator('.dicom-stage canvas').first().evaluate((canvas: any) => {
      const data: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) seen.add(data[i]);
      return seen.size;
    });
    expect(distinct).toBeGreaterThan(10);
    const stage = (await officer.locator('.dicom-stage').boundingBox())!;
    await officer.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await officer.mouse.down();
    for (let i = 1; i <= 10; i++) await officer.mouse.move(stage.x + stage.width / 2 + i * 15, stage.y + stage.height / 2 + i * 8);
    await officer.mouse.up();
    await until(async () => {
      const w = await dicom.getAttribute('data-window');
      return !!w && w !== '4000/2000';
    }, 'window/level changed by dragging');
    await officer.getByTestId('dicom-window').waitFor();

    // Signing in survives opening the case in a new tab, and both tabs keep working after the new one's refresh.
    const caseUrl = officer.url();
    const tab = await officer.context().newPage();
    await tab.goto(caseUrl);
    await tab.getByTestId('case-page').waitFor();
    await officer.reload();
    await officer.getByTestId('case-page').waitFor();
  });
});

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPILED_CLI, HubProcess } from '@hub/testing';
import { caseBody, PATIENT } from './fixtures';

const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
  'base64',
);

function cli(dataDir: string, args: string[]): Promise<{ code: number; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return new Promise((resolve) =>
    execFile(process.execPath, [COMPILED_CLI, ...args], { env, timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

/** Backup while the hub runs, restore into a fresh data directory, start a hub there: everything is back. */
describe('backup and restore (compiled hub, embedded PostgreSQL)', () => {
  let source: HubProcess;
  let restored: HubProcess | undefined;
  const backupDir = mkdtempSync(join(tmpdir(), 'hub-backups-'));
  chmodSync(backupDir, 0o755);

  beforeAll(async () => {
    // scheduled backups on, as by default with the embedded database
    source = await HubProcess.create({ BACKUP_INTERVAL_HOURS: '24' });
    await source.start(180_000);
  }, 240_000);
  afterAll(async () => {
    await source?.destroy();
    await restored?.destroy();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('brings a hub back with every record, byte-identical files and a verifying audit trail', async () => {
    const token = await source.login('officer@minusca.demo');
    const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const patient = (await (await fetch(`${source.base}/api/patients`, { method: 'POST', headers: auth, body: JSON.stringify(PATIENT) })).json()) as { id: string };
    const kase = (await (await fetch(`${source.base}/api/cases`, { method: 'POST', headers: auth, body: JSON.stringify(caseBody(patient.id)) })).json()) as { id: string };
    const bytes = Buffer.concat([JPEG, Buffer.alloc(50_000, 3)]);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const meta = `caseId ${Buffer.from(kase.id).toString('base64')},filename ${Buffer.from('xray.jpg').toString('base64')},sha256 ${Buffer.from(sha).toString('base64')}`;
    const created = await fetch(`${source.base}/api/uploads`, { method: 'POST', headers: { Authorization: auth.Authorization, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta } });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const patch = await fetch(new URL(location, source.base), {
      method: 'PATCH',
      headers: { Authorization: auth.Authorization, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: bytes,
    });
    expect(patch.status).toBe(204);
    const attachmentId = patch.headers.get('x-attachment-id')!;
    await fetch(`${source.base}/api/cases/${kase.id}/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ body: 'X-ray attached', attachmentIds: [attachmentId] }) });

    // the scheduled backup runs at start, into the data directory
    const scheduled = () => (existsSync(join(source.dataDir, 'backups')) ? readdirSync(join(source.dataDir, 'backups')) : []).filter((n) => n.startsWith('hub-backup-') && !n.endsWith('.partial'));
    for (let i = 0; i < 600 && !scheduled().length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(scheduled().length).toBeGreaterThanOrEqual(1);

    // npm run backup, while the hub runs
    const backup = await cli(source.dataDir, ['backup', backupDir]);
    expect(backup.code).toBe(0);
    const path = /backup written to (\S+):/.exec(backup.out)?.[1];
    expect(path && existsSync(join(path, 'manifest.json'))).toBe(true);

    const tables = (await source.sql<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r) => r.name);
    const counts = async (hub: HubProcess) => {
      const out: Record<string, number> = {};
      for (const t of tables) out[t] = Number((await hub.sql<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`))[0].n);
      return out;
    };
    const before = await counts(source);
    expect(before.case_attachments).toBe(1);
    await source.stop('SIGTERM');

    // npm run restore into a fresh data directory, then the same start command there
    restored = await HubProcess.create({ BACKUP_INTERVAL_HOURS: '0' });
    const restore = await cli(restored.dataDir, ['restore', path!]);
    expect(restore.out).toMatch(/restored \d+ rows and \d+ files/); // the file, its thumbnail, tus metadata
    expect(restore.code).toBe(0);
    await restored.start(120_000);
    expect(await counts(restored)).toEqual(before);

    // the same hub: old sign-ins still work (same secret), the records and the file's bytes are there
    const view = await fetch(`${restored.base}/api/cases/${kase.id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(view.status).toBe(200);
    const file = await fetch(`${restored.base}/api/cases/${kase.id}/attachments/${attachmentId}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    expect(createHash('sha256').update(Buffer.from(await file.arrayBuffer())).digest('hex')).toBe(sha);
    // writes continue after the restored rows (sequences), and the audit trail verifies
    expect((await fetch(`${restored.base}/api/patients`, { method: 'POST', headers: auth, body: JSON.stringify({ ...PATIENT, serviceNumber: 'AFTER-RESTORE' }) })).status).toBe(201);
    const verify = await cli(restored.dataDir, ['verify-audit']);
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^ok\s+\S+ \(\d+ sealed records/m);
    expect(verify.out).not.toMatch(/BROKEN/);

    // restoring over a hub that holds data is refused
    await restored.stop('SIGTERM');
    const again = await cli(restored.dataDir, ['restore', path!]);
    expect(again.code).toBe(1);
    expect(again.out).toContain('already holds data');
  }, 600_000);
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { AuditOptions } from './audit-options';
import { AuditSealer } from './audit-sealer';
import { AuditService } from './audit.service';

const KEY = Buffer.from('audit-test-key-audit-test-key-audit-test-key');

/** As an attacker with the database's superuser would: past the append-only triggers. */
async function behindTheTriggers(db: TestDatabase, sql: string, params: unknown[] = []) {
  await db.dataSource.transaction(async (m) => {
    await m.query('SET LOCAL session_replication_role = replica');
    await m.query(sql, params);
  });
}

describe('audit trail (PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let options: AuditOptions;
  let audit: AuditService;
  let sealer: AuditSealer;
  const missionA = randomUUID();
  const missionB = randomUUID();
  const missionC = randomUUID();
  /** Seals until the chains named have no backlog (other test files' open transactions may hold a round back). */
  const sealAll = async (...chains: string[]) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      while ((await sealer.sealOnce()) > 0);
      const [{ n }] = await db.dataSource.query(
        'SELECT count(*)::int AS n FROM audit_entries e WHERE e.chain = ANY($1) AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)',
        [chains],
      );
      if (n === 0) return;
      if (Date.now() > deadline) throw new Error(`${n} records still unsealed after 15 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const report = async (chain: string) => (await audit.verify(chain))[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'audit-test-'));
    options = { key: KEY, checkpointFile: join(dir, 'audit-checkpoints.json'), sealIntervalMs: 0 };
    audit = new AuditService(db.dataSource, options);
    sealer = new AuditSealer(db.dataSource, options);
    for (let i = 0; i < 5; i++) {
      await audit.record({ action: 'case.read', outcome: 'success', missionId: missionA, subjectType: 'Case', subjectId: `c${i}`, details: { i, nested: { b: 1, a: [1, 2] } } });
      await audit.record({ action: 'case.read', outcome: 'success', missionId: missionB, subjectType: 'Case', subjectId: `d${i}` });
      await audit.record({ action: 'case.read', outcome: 'success', missionId: missionC, subjectType: 'Case', subjectId: `e${i}` });
    }
    await audit.record({ action: 'auth.login', outcome: 'failure', details: { reason: 'unknown email' } });
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends without chaining, then the sealer chains each mission in order and verification covers the seals', async () => {
    const before = await audit.verify();
    expect(before.find((r) => r.chain === missionA)).toMatchObject({ ok: true, records: 0, unsealed: 5 });
    expect(before.find((r) => r.chain === missionA)!.oldestUnsealedAt).not.toBeNull();
    await sealAll(missionA, missionB, missionC, 'global');
    const seals: { chain: string; seq: string; prev_hash: string; hash: string }[] = await db.dataSource.query(
      'SELECT s.chain, s.seq::text AS seq, s.prev_hash, s.hash FROM audit_seals s WHERE s.chain = $1 ORDER BY s.seq',
      [missionA],
    );
    expect(seals.map((s) => s.seq)).toEqual(['1', '2', '3', '4', '5']);
    expect(seals[0].prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < seals.length; i++) expect(seals[i].prev_hash).toBe(seals[i - 1].hash);
    const reports = await audit.verify();
    expect(reports.map((r) => [r.chain, r.ok, r.records, r.unsealed]).sort()).toEqual(
      [[missionA, true, 5, 0], [missionB, true, 5, 0], [missionC, true, 5, 0], ['global', true, 1, 0]].sort(),
    );
    // The signed checkpoint outside the database holds each chain's head.
    const checkpoint = JSON.parse(readFileSync(options.checkpointFile!, 'utf8'));
    expect(checkpoint.heads.find((h: { chain: string }) => h.chain === missionA)).toMatchObject({ seq: '5', hash: seals[4].hash });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of records and seals in the database itself', async () => {
    for (const table of ['audit_entries', 'audit_seals']) {
      await expect(db.dataSource.query(`UPDATE ${table} SET chain = 'x'`)).rejects.toThrow(/append-only/);
      await expect(db.dataSource.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
      await expect(db.dataSource.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
    }
    const [{ n }] = await db.dataSource.query('SELECT count(*)::int AS n FROM audit_entries');
    expect(n).toBe(16);
  });

  it('never seals past a transaction that is still open: its record is sealed after it commits, in a later round', async () => {
    const mission = randomUUID();
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      // The open transaction writes first (smaller id and xid), the other one commits before it.
      await audit.record({ action: 'late', outcome: 'success', missionId: mission, subjectId: 'late' }, runner.manager);
      await audit.record({ action: 'early', outcome: 'success', missionId: mission, subjectId: 'early' });
      await sealAll();
      // Nothing of this chain is sealed yet: the committed record lies beyond the open transaction's horizon.
      expect(await report(mission)).toMatchObject({ ok: true, records: 0, unsealed: 1 });
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    await sealAll(mission);
    const order: { subject_id: string }[] = await db.dataSource.query(
      'SELECT e.subject_id FROM audit_seals s JOIN audit_entries e ON e.id = s.entry_id WHERE s.chain = $1 ORDER BY s.seq',
      [mission],
    );
    expect(order.map((r) => r.subject_id)).toEqual(['late', 'early']);
    expect(await report(mission)).toMatchObject({ ok: true, records: 2, unsealed: 0 });
  });

  it('seals concurrent appends to one chain exactly once, whichever sealer runs', async () => {
    const mission = randomUUID();
    const other = new AuditSealer(db.dataSource, { ...options, checkpointFile: undefined });
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => audit.record({ action: 'x', outcome: 'success', missionId: mission, subjectId: String(i) })),
      sealer.sealOnce(),
      other.sealOnce(),
    ]);
    await sealAll(mission);
    expect(await report(mission)).toMatchObject({ chain: mission, records: 40, ok: true, unsealed: 0 });
  });

  it('names the first broken record when a sealed row is altered behind the application', async () => {
    const [third] = await db.dataSource.query('SELECT e.id::text AS id FROM audit_entries e WHERE e.chain = $1 ORDER BY e.id OFFSET 2 LIMIT 1', [missionA]);
    await behindTheTriggers(db, `UPDATE audit_entries SET subject_id = 'someone-else' WHERE id = $1`, [third.id]);
    const reports = await audit.verify();
    const a = reports.find((r) => r.chain === missionA)!;
    expect(a).toMatchObject({ ok: false, firstBrokenId: third.id, records: 2 });
    expect(a.reason).toMatch(/content/);
    expect(reports.find((r) => r.chain === missionB)!.ok).toBe(true);
  });

  it('detects a removed record, and a removed record with its seal', async () => {
    const rows: { id: string }[] = await db.dataSource.query('SELECT e.id::text AS id FROM audit_entries e WHERE e.chain = $1 ORDER BY e.id', [missionB]);
    await behindTheTriggers(db, 'DELETE FROM audit_entries WHERE id = $1', [rows[1].id]);
    expect(await report(missionB)).toMatchObject({ ok: false, firstBrokenId: rows[1].id, reason: expect.stringMatching(/removed/) });
    await behindTheTriggers(db, 'DELETE FROM audit_seals WHERE entry_id = $1', [rows[1].id]);
    expect(await report(missionB)).toMatchObject({ ok: false, firstBrokenId: rows[2].id, reason: expect.stringMatching(/missing|link/) });
  });

  it('detects an inserted row: a forged seal in the chain, or a record slipped in behind the sealer', async () => {
    const seals: { entry_id: string; seq: string; hash: string }[] = await db.dataSource.query(
      'SELECT s.entry_id::text AS entry_id, s.seq::text AS seq, s.hash FROM audit_seals s WHERE s.chain = $1 ORDER BY s.seq',
      [missionC],
    );
    // Slip a record in after seal 2, shifting the later seals; without the key its seal cannot be computed.
    const [{ id }] = await db.dataSource.query(
      `INSERT INTO audit_entries (chain, mission_id, action, outcome, occurred_at) VALUES ($1, $2, 'case.read', 'success', now()) RETURNING id::text`,
      [missionC, missionC],
    );
    await behindTheTriggers(db, 'UPDATE audit_seals SET seq = seq + 1000 WHERE chain = $1 AND seq > 2', [missionC]);
    await behindTheTriggers(db, 'UPDATE audit_seals SET seq = seq - 999 WHERE chain = $1 AND seq > 1000', [missionC]);
    await behindTheTriggers(
      db,
      `INSERT INTO audit_seals (entry_id, chain, seq, prev_hash, hash, horizon) VALUES ($1, $2, 3, $3, encode(sha256('forged'::bytea), 'hex'), 0)`,
      [id, missionC, seals[1].hash],
    );
    expect(await report(missionC)).toMatchObject({ ok: false, firstBrokenId: id, reason: expect.stringMatching(/content/) });

    // A record inserted with an old transaction id (below the sealer's horizon) is never sealed: reported.
    const mission = randomUUID();
    await audit.record({ action: 'x', outcome: 'success', missionId: mission });
    await sealAll(mission);
    expect(await report(mission)).toMatchObject({ ok: true, records: 1 });
    const [{ id: slipped }] = await db.dataSource.query(
      `INSERT INTO audit_entries (chain, mission_id, action, outcome, occurred_at, xid) OVERRIDING SYSTEM VALUE
       VALUES ($1, $2, 'x', 'success', now(), 3) RETURNING id::text`,
      [mission, mission],
    );
    await sealAll();
    expect(await report(mission)).toMatchObject({ ok: false, firstBrokenId: slipped, reason: expect.stringMatching(/behind the sealer/) });
  });

  it('detects the newest records removed with their seals through the signed checkpoint, and stops sealing onto that chain', async () => {
    const mission = randomUUID();
    for (let i = 0; i < 3; i++) await audit.record({ action: 'x', outcome: 'success', missionId: mission, subjectId: String(i) });
    await sealAll(mission);
    expect(await report(mission)).toMatchObject({ ok: true, records: 3, checkpointSeq: '3' });
    const [last] = await db.dataSource.query('SELECT entry_id::text FROM audit_seals WHERE chain = $1 AND seq = 3', [mission]);
    await behindTheTriggers(db, 'DELETE FROM audit_seals WHERE entry_id = $1', [last.entry_id]);
    await behindTheTriggers(db, 'DELETE FROM audit_entries WHERE id = $1', [last.entry_id]);
    // The chain alone looks intact; the checkpoint outside the database shows what was cut.
    expect(await report(mission)).toMatchObject({ ok: false, records: 2, reason: expect.stringMatching(/checkpoint have been removed/) });
    // The sealer refuses to seal onto the cut chain (which would overwrite the evidence) and says so.
    await audit.record({ action: 'x', outcome: 'success', missionId: mission, subjectId: 'after' });
    let refusal: Error | undefined;
    for (const deadline = Date.now() + 15_000; !refusal && Date.now() < deadline; ) {
      // A round may find nothing to seal while another test file's transaction holds the horizon back.
      await sealer.sealOnce().then(() => new Promise((r) => setTimeout(r, 50)), (e: Error) => (refusal = e));
    }
    expect(refusal?.message).toMatch(/no longer reaches its checkpointed record 3/);
    expect(sealer.status().halted).toMatch(/halted/);
    const checkpoint = JSON.parse(readFileSync(options.checkpointFile!, 'utf8'));
    expect(checkpoint.heads.find((h: { chain: string }) => h.chain === mission).seq).toBe('3');
  });

  it('refuses a checkpoint file that was edited (signature), and a chain verified with another key', async () => {
    const file = options.checkpointFile!;
    const checkpoint = JSON.parse(readFileSync(file, 'utf8'));
    checkpoint.heads = checkpoint.heads.filter((h: { chain: string }) => h.chain !== 'global');
    writeFileSync(file, JSON.stringify(checkpoint));
    expect(await report('global')).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
    const otherKey = new AuditService(db.dataSource, { key: Buffer.from('another-key-another-key-another-key-0') });
    expect((await otherKey.verify('global'))[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/content/) });
  });
});

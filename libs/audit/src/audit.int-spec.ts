import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { AuditService } from './audit.service';

describe('audit trail (PostgreSQL)', () => {
  let db: TestDatabase;
  let audit: AuditService;
  const missionA = randomUUID();
  const missionB = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = new AuditService(db.dataSource);
    for (let i = 0; i < 5; i++) {
      await audit.record({ action: 'case.read', outcome: 'success', missionId: missionA, subjectType: 'Case', subjectId: `c${i}`, details: { i, nested: { b: 1, a: [1, 2] } } });
      await audit.record({ action: 'case.read', outcome: 'success', missionId: missionB, subjectType: 'Case', subjectId: `d${i}` });
    }
    await audit.record({ action: 'auth.login', outcome: 'failure', details: { reason: 'unknown email' } });
  });
  afterAll(() => db.drop());

  it('keeps one hash chain per mission, each linked to the previous record', async () => {
    const rows: { chain: string; prev_hash: string; hash: string }[] = await db.dataSource.query(
      'SELECT chain, prev_hash, hash FROM audit_entries ORDER BY id',
    );
    const a = rows.filter((r) => r.chain === missionA);
    expect(a).toHaveLength(5);
    expect(a[0].prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < a.length; i++) expect(a[i].prev_hash).toBe(a[i - 1].hash);
    const reports = await audit.verify();
    expect(reports.map((r) => [r.chain, r.ok, r.records]).sort()).toEqual(
      [[missionA, true, 5], [missionB, true, 5], ['global', true, 1]].sort(),
    );
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    await expect(db.dataSource.query(`UPDATE audit_entries SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query('DELETE FROM audit_entries')).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query('TRUNCATE audit_entries')).rejects.toThrow(/append-only/);
    const [{ n }] = await db.dataSource.query('SELECT count(*)::int AS n FROM audit_entries');
    expect(n).toBe(11);
  });

  it('names the first broken record when a row is altered behind the application', async () => {
    const [third] = await db.dataSource.query(
      'SELECT id FROM audit_entries WHERE chain = $1 ORDER BY id OFFSET 2 LIMIT 1',
      [missionA],
    );
    // A superuser bypassing the trigger, as an attacker with database access would.
    await db.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query(`UPDATE audit_entries SET subject_id = 'someone-else' WHERE id = $1`, [third.id]);
    });
    const reports = await audit.verify();
    const a = reports.find((r) => r.chain === missionA)!;
    expect(a.ok).toBe(false);
    expect(a.firstBrokenId).toBe(String(third.id));
    expect(a.reason).toMatch(/content/);
    expect(reports.find((r) => r.chain === missionB)!.ok).toBe(true);
  });

  it('detects a removed record as a broken link', async () => {
    const rows = await db.dataSource.query('SELECT id FROM audit_entries WHERE chain = $1 ORDER BY id', [missionB]);
    await db.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query('DELETE FROM audit_entries WHERE id = $1', [rows[1].id]);
    });
    const [b] = await audit.verify(missionB);
    expect(b.ok).toBe(false);
    expect(b.firstBrokenId).toBe(String(rows[2].id));
    expect(b.reason).toMatch(/link/);
  });

  it('serialises concurrent appends to one chain', async () => {
    const mission = randomUUID();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => audit.record({ action: 'x', outcome: 'success', missionId: mission, subjectId: String(i) })),
    );
    const [report] = await audit.verify(mission);
    expect(report).toEqual({ chain: mission, records: 20, ok: true });
  });
});

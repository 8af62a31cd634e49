import { createTestDatabase, TestDatabase } from '@hub/testing';
import { NodeOutbox1795940000000 } from './migrations/1795940000000-NodeOutbox';
import { seedClinic } from '../test/test-clinic';

/**
 * The node's migration on a real PostgreSQL: every change a clinic makes gets its outbox row in the same
 * transaction (a rolled-back change leaves none), keys are UUIDv7, the audit entry names the actor, applying the
 * hub's rows in replica mode writes no outbox row, and the migration reverts.
 */
describe('node outbox (migration NodeOutbox)', () => {
  let db: TestDatabase;
  let ids: { mission: string; facility: string; officer: string; other: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    const [v] = await db.dataSource.query(`INSERT INTO users (email, display_name, password_hash) VALUES ('v@t.demo', 'Other', 'x') RETURNING id`);
    ids = { ...(await seedClinic(db.dataSource)), other: v.id };
    const runner = db.dataSource.createQueryRunner();
    await new NodeOutbox1795940000000().up(runner);
    await runner.release();
  });
  afterAll(() => db.drop());

  const insertPatient = (q: (sql: string, p: unknown[]) => Promise<{ id: string }[]>, sn: string) =>
    q(
      `INSERT INTO patients (mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
       VALUES ($1, $2, 'A', 'B', '1990-01-01', 'male', 'CAF', 'X', $3, $4) RETURNING id`,
      [ids.mission, sn, ids.facility, ids.officer],
    );

  it('writes the outbox row in the change transaction, with a UUIDv7 key, and none for a rolled-back change', async () => {
    const [p] = await insertPatient((s, p) => db.dataSource.query(s, p), 'SN-1');
    expect(p.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    const rows = await db.dataSource.query(`SELECT table_name, record_id, actor_id, row->>'service_number' AS sn, status FROM node_outbox WHERE record_id = $1`, [p.id]);
    expect(rows).toEqual([{ table_name: 'patients', record_id: p.id, actor_id: ids.officer, sn: 'SN-1', status: 'pending' }]);

    await expect(
      db.dataSource.transaction(async (m) => {
        await insertPatient((s, p) => m.query(s, p), 'SN-ROLLED-BACK');
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect(await db.dataSource.query(`SELECT 1 FROM node_outbox WHERE row->>'service_number' = 'SN-ROLLED-BACK'`)).toEqual([]);
    expect(await db.dataSource.query(`SELECT 1 FROM patients WHERE service_number = 'SN-ROLLED-BACK'`)).toEqual([]);
  });

  it('takes the actor from the audit entry of the same transaction', async () => {
    const id = await db.dataSource.transaction(async (m) => {
      const [p] = await insertPatient((s, p) => m.query(s, p), 'SN-2');
      await m.query(
        `INSERT INTO audit_entries (chain, actor_id, action, outcome, occurred_at) VALUES ('global', $1, 'patient.update', 'success', now())`,
        [ids.other],
      );
      return p.id;
    });
    const [row] = await db.dataSource.query(`SELECT actor_id FROM node_outbox WHERE record_id = $1`, [id]);
    expect(row.actor_id).toBe(ids.other);
  });

  it("writes no outbox row for the hub's rows applied in replica mode", async () => {
    const hubId = '00000000-0000-4000-8000-0000000000aa';
    await db.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query(
        `INSERT INTO patients (id, mission_id, service_number, first_name, last_name, date_of_birth, sex, nationality, contingent, current_facility_id, created_by_id)
         VALUES ($4, $1, 'SN-HUB', 'A', 'B', '1990-01-01', 'male', 'CAF', 'X', $2, $3)`,
        [ids.mission, ids.facility, ids.officer, hubId],
      );
    });
    expect(await db.dataSource.query(`SELECT 1 FROM patients WHERE id = $1`, [hubId])).toHaveLength(1);
    expect(await db.dataSource.query(`SELECT 1 FROM node_outbox WHERE record_id = $1`, [hubId])).toEqual([]);
  });

  it('reverts', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      await new NodeOutbox1795940000000().down(runner);
      expect(await db.dataSource.query(`SELECT to_regclass('node_outbox') AS t`)).toEqual([{ t: null }]);
      const [trigger] = await db.dataSource.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'sync_log_change'`);
      // the 13 it dropped, back, beside the one on case_attachments (NodeAttachments1795950300000), never touched here
      expect(trigger.n).toBe(14);
    } finally {
      await runner.release();
    }
  });
});

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { AuditSealer } from './audit-sealer';
import { AuditService } from './audit.service';

/**
 * Finding 9 of issue 12: the hub's role may only INSERT and SELECT audit rows. The migrations hand the audit tables
 * to `hub_audit_owner`; an application role set up as docs/security-model.md says ("Database roles") can write and
 * seal the trail but neither change it nor switch its triggers off.
 */
describe('audit trail under an application role (PostgreSQL)', () => {
  let db: TestDatabase;
  let app: DataSource;
  const role = `hub_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const admin = () => db.dataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dbName = new URL(db.url).pathname.slice(1);
    await admin().query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '${password}'`);
    // What an operator grants the hub's role (here only what the audit needs).
    await admin().query(`GRANT CONNECT ON DATABASE "${dbName}" TO ${role}`);
    await admin().query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await admin().query(`GRANT SELECT, INSERT ON audit_entries, audit_seals TO ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    app = new DataSource({ type: 'postgres', url: url.toString() });
    await app.initialize();
  });
  afterAll(async () => {
    await app?.destroy();
    await db.drop();
    const client = new pg.Client({ connectionString: process.env.HUB_TEST_ADMIN_URL });
    client.on('error', () => undefined);
    await client.connect();
    await client.query(`DROP ROLE IF EXISTS ${role}`);
    await client.end();
  });

  it('the audit tables and their trigger functions belong to hub_audit_owner, which cannot log in', async () => {
    const owners = await admin().query(`SELECT tablename, tableowner FROM pg_tables WHERE tablename IN ('audit_entries', 'audit_seals') ORDER BY 1`);
    expect(owners).toEqual([
      { tablename: 'audit_entries', tableowner: 'hub_audit_owner' },
      { tablename: 'audit_seals', tableowner: 'hub_audit_owner' },
    ]);
    const [owner] = await admin().query(`SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'hub_audit_owner'`);
    expect(owner).toEqual({ rolcanlogin: false, rolsuper: false });
  });

  it('lets the application role append and seal records, and verify them', async () => {
    const options = { key: Buffer.from('role-test-key-role-test-key-role-test-key'), sealIntervalMs: 0 };
    const audit = new AuditService(app, options);
    await audit.record({ action: 'case.read', outcome: 'success', subjectType: 'Case', subjectId: 'x' });
    const sealer = new AuditSealer(app, options);
    for (let i = 0; i < 100 && (await audit.verify('global'))[0].unsealed > 0; i++) {
      await sealer.sealOnce();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await audit.verify('global'))[0]).toMatchObject({ ok: true, records: 1, unsealed: 0 });
  });

  it('refuses the application role any change, trigger switch or drop of the trail', async () => {
    for (const table of ['audit_entries', 'audit_seals']) {
      await expect(app.query(`UPDATE ${table} SET chain = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
      await expect(app.query(`DROP TABLE ${table}`)).rejects.toThrow(/must be owner/);
    }
    await expect(app.query('SET session_replication_role = replica')).rejects.toThrow(/permission denied/);
    await expect(app.query(`CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`)).rejects.toThrow(/must be owner|permission denied/);
    const [{ n }] = await admin().query('SELECT count(*)::int AS n FROM audit_entries');
    expect(n).toBe(1);
  });
});

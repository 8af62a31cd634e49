import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { HubProcess } from '@hub/testing';

/**
 * Issue 12, finding 9 on the default run: the hub connects to its embedded PostgreSQL as the ordinary role `hub_app`
 * (not superuser, owner of the application's schema), so the audit trail's append-only protection holds without an
 * operator creating roles. Migrations ran as the cluster's superuser, which handed the schema over.
 */
describe('the hub runs as an ordinary database role (compiled hub, embedded PostgreSQL)', () => {
  let hub: HubProcess;
  let app: Client;

  beforeAll(async () => {
    hub = await HubProcess.create();
    await hub.start(180_000);
    // A sign-in writes audit records through the hub's own connections.
    await hub.login('officer@minusca.demo');
    const password = readFileSync(join(hub.dataDir, 'pg-app-password'), 'utf8').trim();
    app = new Client({ host: '127.0.0.1', port: hub.postmaster()!.port, user: 'hub_app', password, database: 'hub' });
    app.on('error', () => undefined);
    await app.connect();
  }, 240_000);
  afterAll(async () => {
    await app?.end().catch(() => undefined);
    await hub?.destroy();
  });

  it("holds its pool as hub_app, a role that is no superuser and can create neither roles nor databases", async () => {
    const sessions = await hub.sql<{ usename: string }>(`SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'field-telemed-hub'`);
    expect(sessions.map((s) => s.usename)).toEqual(['hub_app']);
    const [role] = await hub.sql(`SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = 'hub_app'`);
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
  });

  it('owns every table of the application except the audit trail, which belongs to hub_audit_owner', async () => {
    const owners = await hub.sql<{ tableowner: string; tables: string[] }>(
      `SELECT tableowner, array_agg(tablename::text ORDER BY tablename) AS tables FROM pg_tables WHERE schemaname = 'public' GROUP BY 1 ORDER BY 1`,
    );
    expect(owners.map((o) => o.tableowner)).toEqual(['hub_app', 'hub_audit_owner']);
    expect(owners[1].tables).toEqual(['audit_entries', 'audit_seals']);
    expect(owners[0].tables).toEqual(expect.arrayContaining(['referral_cases', 'users', 'schema_migrations']));
  });

  it('cannot UPDATE, DELETE, TRUNCATE or unprotect the audit rows the hub wrote, but reads them', async () => {
    const [{ n }] = (await app.query('SELECT count(*)::int AS n FROM audit_entries')).rows;
    expect(n).toBeGreaterThan(0);
    for (const table of ['audit_entries', 'audit_seals']) {
      await expect(app.query(`UPDATE ${table} SET chain = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
    }
    await expect(app.query('SET session_replication_role = replica')).rejects.toThrow(/permission denied/);
    const [{ after }] = (await app.query('SELECT count(*)::int AS after FROM audit_entries')).rows;
    expect(after).toBeGreaterThanOrEqual(n);
  });

  it('comes back as hub_app after a restart on the same data directory', async () => {
    await hub.stop();
    await hub.start(180_000);
    await hub.login('doctor@minusca.demo');
    const sessions = await hub.sql<{ usename: string }>(`SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name = 'field-telemed-hub'`);
    expect(sessions.map((s) => s.usename)).toEqual(['hub_app']);
  }, 240_000);
});

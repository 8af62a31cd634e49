import { DataSource, MixedList } from 'typeorm';
import { createDataSource } from './data-source';
import { APP_ROLE } from './embedded-postgres';

/** The role the AuditOwner migration gives the audit tables to (repeated here: migrations import nothing). */
const AUDIT_OWNER_ROLE = 'hub_audit_owner';
const AUDIT_TABLES = ['audit_entries', 'audit_seals'];

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * After migrations ran as the cluster's superuser: every object of the `public` schema not given to
 * `hub_audit_owner` is handed to the application role `hub_app` (tables with their sequences, views, functions,
 * types), and `hub_app` may only SELECT and INSERT the audit tables. Idempotent; also upgrades a data directory whose
 * tables a superuser-run hub created. Runs as a superuser.
 */
export async function handOverToAppRole(db: Queryable, role = APP_ROLE): Promise<void> {
  const rows = (await db.query(
    `SELECT kind, name FROM (
       SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind,
              format('%I.%I', n.nspname, c.relname) AS name, c.relowner AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          -- a sequence owned by a column follows its table
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
       UNION ALL
       SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), p.proowner
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
       UNION ALL
       SELECT 'TYPE', format('%I.%I', n.nspname, t.typname), t.typowner
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') -- enums and domains; row types follow their tables
     ) o
     WHERE pg_get_userbyid(o.owner) NOT IN ($1, $2)`,
    [AUDIT_OWNER_ROLE, role],
  )) as { kind: string; name: string }[];
  for (const { kind, name } of rows) await db.query(`ALTER ${kind} ${name} OWNER TO ${role}`);
  const audit = (await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1)`, [AUDIT_TABLES])) as {
    tablename: string;
  }[];
  for (const { tablename } of audit) {
    await db.query(`REVOKE ALL ON ${tablename} FROM ${role}`);
    await db.query(`GRANT SELECT, INSERT ON ${tablename} TO ${role}`);
  }
}

/**
 * Applies pending migrations as the superuser (`adminUrl`) and hands the schema to the application role: what the
 * hub, its CLI and the field node do on their embedded database before connecting as `hub_app`.
 */
export async function migrateAsAdmin(adminUrl: string, migrations: MixedList<Function>): Promise<string[]> {
  const admin: DataSource = createDataSource({ url: adminUrl, entities: [], migrations, poolSize: 1, applicationName: 'field-telemed-hub-migrate' });
  await admin.initialize();
  try {
    const applied = await admin.runMigrations({ transaction: 'each' });
    await handOverToAppRole(admin);
    return applied.map((m) => m.name);
  } finally {
    await admin.destroy();
  }
}

/**
 * The field node applies the hub's changes as a replica would (`SET LOCAL session_replication_role = replica`: no
 * trigger fires, no foreign key is checked, the rows already satisfied them on the hub). PostgreSQL 15+ lets a
 * superuser grant just that parameter to the ordinary role. The audit tables stay protected by privileges: the role
 * still may not UPDATE, DELETE or TRUNCATE them.
 */
export async function allowReplicaMode(adminUrl: string, role = APP_ROLE): Promise<void> {
  const admin = createDataSource({ url: adminUrl, entities: [], migrations: [], poolSize: 1, applicationName: 'field-telemed-hub-migrate' });
  await admin.initialize();
  try {
    await admin.query(`GRANT SET ON PARAMETER session_replication_role TO ${role}`);
  } finally {
    await admin.destroy();
  }
}

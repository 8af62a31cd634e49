import { MigrationInterface, QueryRunner } from 'typeorm';

/** The role that owns the audit tables and their append-only triggers; nobody logs in as it. */
export const AUDIT_OWNER_ROLE = 'hub_audit_owner';
const TABLES = ['audit_entries', 'audit_seals'];
const FUNCTIONS = ['audit_entries_append_only()', 'audit_seals_append_only()', 'audit_current_xid()'];

/**
 * The hub's own role may only INSERT and SELECT audit records and seals: the tables, their triggers' functions and
 * the xid function belong to `hub_audit_owner` (NOLOGIN), so the application cannot disable the triggers, change
 * or delete a row, or drop the table (all need the owner). Needs a migrating role that may create roles and hand
 * tables over (a superuser). Otherwise the migration changes nothing and says so: the operator runs the statements
 * of docs/security-model.md ("Database roles") as a superuser.
 */
export class AuditOwner1795934802672 implements MigrationInterface {
  name = 'AuditOwner1795934802672';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [{ superuser }] = await queryRunner.query('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user');
    if (!superuser) {
      console.warn(
        '[migration AuditOwner] the migrating role is not a superuser: the audit tables stay owned by it; run the ' +
          'statements of docs/security-model.md (Database roles) as a superuser to make the trail append-only for the hub',
      );
      return;
    }
    await queryRunner.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_OWNER_ROLE}') THEN CREATE ROLE ${AUDIT_OWNER_ROLE} NOLOGIN; END IF;
    END $$`);
    for (const table of TABLES) {
      await queryRunner.query(`ALTER TABLE ${table} OWNER TO ${AUDIT_OWNER_ROLE}`);
      await queryRunner.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await queryRunner.query(`GRANT SELECT, INSERT ON ${table} TO CURRENT_USER`);
    }
    for (const fn of FUNCTIONS) await queryRunner.query(`ALTER FUNCTION ${fn} OWNER TO ${AUDIT_OWNER_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ superuser }] = await queryRunner.query('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user');
    if (!superuser) return;
    for (const table of TABLES) await queryRunner.query(`ALTER TABLE ${table} OWNER TO CURRENT_USER`);
    for (const fn of FUNCTIONS) await queryRunner.query(`ALTER FUNCTION ${fn} OWNER TO CURRENT_USER`);
  }
}

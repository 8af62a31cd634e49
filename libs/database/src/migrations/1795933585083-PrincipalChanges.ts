import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables whose rows belong to one user: a change notifies that user's id. */
const PER_USER: [table: string, userColumn: string][] = [
  ['users', 'id'],
  ['memberships', 'user_id'],
  ['refresh_tokens', 'user_id'],
  ['training_certificates', 'user_id'],
  ['training_waivers', 'user_id'],
];
/** Tables that change what many users' memberships reach: a change notifies everyone ('*'). */
const EVERYONE = ['missions', 'facilities', 'facility_missions'];

/**
 * The hubs cache each caller per user (libs/identity/src/principal-cache.ts) and drop the entry when PostgreSQL
 * notifies `principal_changed` with the user's id (or '*'), which these triggers do on every write that changes
 * what the principal resolver would load. NOTIFY is transactional: delivered only if the write commits.
 */
export class PrincipalChanges1795933585083 implements MigrationInterface {
  name = 'PrincipalChanges1795933585083';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION principal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        col text := TG_ARGV[0];
        old_id text;
        new_id text;
      BEGIN
        IF col = '*' THEN
          PERFORM pg_notify('principal_changed', '*');
          RETURN NULL;
        END IF;
        IF TG_OP <> 'INSERT' THEN old_id := to_jsonb(OLD) ->> col; END IF;
        IF TG_OP <> 'DELETE' THEN new_id := to_jsonb(NEW) ->> col; END IF;
        IF old_id IS NOT NULL THEN PERFORM pg_notify('principal_changed', old_id); END IF;
        IF new_id IS NOT NULL AND new_id IS DISTINCT FROM old_id THEN PERFORM pg_notify('principal_changed', new_id); END IF;
        RETURN NULL;
      END $$`);
    for (const [table, column] of PER_USER) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_principal_changed AFTER INSERT OR UPDATE OR DELETE ON ${table}
           FOR EACH ROW EXECUTE FUNCTION principal_changed('${column}')`,
      );
    }
    for (const table of EVERYONE) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_principal_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION principal_changed('*')`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...EVERYONE, ...PER_USER.map(([t]) => t)].reverse()) {
      await queryRunner.query(`DROP TRIGGER ${table}_principal_changed ON ${table}`);
    }
    await queryRunner.query('DROP FUNCTION principal_changed()');
  }
}

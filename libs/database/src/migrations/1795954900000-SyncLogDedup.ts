import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change log's "once per record and transaction" check was a NOT EXISTS over every entry the transaction had
 * already written for the scope (the index stops at (scope, xid)): quadratic in the size of a transaction, so a bulk
 * write of 100 000 cases logged 255 rows a second. A unique index on the four columns makes the check one index
 * probe (INSERT … ON CONFLICT DO NOTHING).
 */
export class SyncLogDedup1795954900000 implements MigrationInterface {
  name = 'SyncLogDedup1795954900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A record resent after a conflict could be logged twice in one transaction; one entry says the same.
    await queryRunner.query(`DELETE FROM sync_changes a USING sync_changes b
      WHERE a.scope = b.scope AND a.xid = b.xid AND a.table_name = b.table_name AND a.record_id = b.record_id AND a.seq > b.seq`);
    await queryRunner.query('CREATE UNIQUE INDEX "sync_changes_once_idx" ON "sync_changes"  ("scope", "xid", "table_name", "record_id") ');
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION sync_log(p_scope text, p_table text, p_id text) RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO sync_changes (xid, scope, table_name, record_id)
  SELECT pg_current_xact_id()::text::bigint, p_scope, p_table, p_id
   WHERE p_scope IS NOT NULL AND p_id IS NOT NULL
  ON CONFLICT (scope, xid, table_name, record_id) DO NOTHING
$fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE OR REPLACE FUNCTION sync_log(p_scope text, p_table text, p_id text) RETURNS void LANGUAGE sql AS $fn$
  INSERT INTO sync_changes (xid, scope, table_name, record_id)
  SELECT pg_current_xact_id()::text::bigint, p_scope, p_table, p_id
   WHERE p_scope IS NOT NULL AND p_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM sync_changes c WHERE c.scope = p_scope AND c.xid = pg_current_xact_id()::text::bigint
                       AND c.table_name = p_table AND c.record_id = p_id)
$fn$`);
    await queryRunner.query('DROP INDEX "public"."sync_changes_once_idx"');
  }
}

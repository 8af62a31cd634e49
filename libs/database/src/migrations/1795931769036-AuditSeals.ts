import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit records are appended without a lock and chained afterwards by the sealer (libs/audit/src/audit-sealer.ts):
 * each record carries its transaction id (the sealing order), the chain links move to append-only seals keyed with
 * a key outside the database. Records written before this migration carry the migration's transaction id and are
 * sealed by the first round (their old unkeyed hashes are dropped).
 */
export class AuditSeals1795931769036 implements MigrationInterface {
  name = 'AuditSeals1795931769036';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."audit_entries_hash_key"');
    await queryRunner.query('ALTER TABLE "audit_entries" DROP COLUMN "prev_hash"');
    await queryRunner.query('ALTER TABLE "audit_entries" DROP COLUMN "hash"');
    // The writing transaction's 64-bit id (xid8 never wraps), as a bigint the sealer compares with its horizon.
    await queryRunner.query(
      `CREATE FUNCTION audit_current_xid() RETURNS bigint LANGUAGE sql VOLATILE AS 'SELECT pg_current_xact_id()::text::bigint'`,
    );
    await queryRunner.query('ALTER TABLE "audit_entries" ADD "xid" bigint NOT NULL DEFAULT audit_current_xid()');
    await queryRunner.query('CREATE INDEX "audit_entries_xid_idx" ON "audit_entries" ("xid", "id") ');
    await queryRunner.query(
      'CREATE TABLE "audit_seals" ("entry_id" bigint NOT NULL, "chain" character varying(64) NOT NULL, "seq" bigint NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, "horizon" bigint NOT NULL, "sealed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_audit_seals_entry_id" PRIMARY KEY ("entry_id"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "audit_seals_chain_seq_key" ON "audit_seals" ("chain", "seq") ');
    await queryRunner.query('CREATE UNIQUE INDEX "audit_seals_hash_key" ON "audit_seals" ("hash") ');
    await queryRunner.query('CREATE INDEX "audit_seals_horizon_idx" ON "audit_seals" ("horizon") ');
    await queryRunner.query(`CREATE FUNCTION audit_seals_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_seals is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`CREATE TRIGGER audit_seals_no_update_delete BEFORE UPDATE OR DELETE ON audit_seals
      FOR EACH ROW EXECUTE FUNCTION audit_seals_append_only()`);
    await queryRunner.query(`CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
      FOR EACH STATEMENT EXECUTE FUNCTION audit_seals_append_only()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "audit_seals"');
    await queryRunner.query('DROP FUNCTION audit_seals_append_only()');
    await queryRunner.query('DROP INDEX "public"."audit_entries_xid_idx"');
    await queryRunner.query('ALTER TABLE "audit_entries" DROP COLUMN "xid"');
    await queryRunner.query('DROP FUNCTION audit_current_xid()');
    // The unkeyed chain cannot be rebuilt here: records get placeholder hashes (verification will report them).
    await queryRunner.query(`ALTER TABLE "audit_entries" ADD "prev_hash" character(64) NOT NULL DEFAULT repeat('0', 64)`);
    await queryRunner.query(`ALTER TABLE "audit_entries" ADD "hash" character(64) NOT NULL DEFAULT repeat('0', 64)`);
    await queryRunner.query('ALTER TABLE "audit_entries" DISABLE TRIGGER audit_entries_no_update_delete');
    await queryRunner.query(`UPDATE "audit_entries" SET "hash" = encode(sha256(id::text::bytea), 'hex')`);
    await queryRunner.query('ALTER TABLE "audit_entries" ENABLE TRIGGER audit_entries_no_update_delete');
    await queryRunner.query('ALTER TABLE "audit_entries" ALTER COLUMN "prev_hash" DROP DEFAULT');
    await queryRunner.query('ALTER TABLE "audit_entries" ALTER COLUMN "hash" DROP DEFAULT');
    await queryRunner.query('CREATE UNIQUE INDEX "audit_entries_hash_key" ON "audit_entries" ("hash") ');
  }
}

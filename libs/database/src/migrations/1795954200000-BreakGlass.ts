import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Break-the-glass (issue 16, item 4): grants of emergency read access to one case, with the reason, the time they
 * run and the health manager's review; and the length of a grant per mission (2 h by default). A grant changes what
 * the principal resolver loads, so its writes notify `principal_changed` with the user's id like memberships do.
 */
export class BreakGlass1795954200000 implements MigrationInterface {
  name = 'BreakGlass1795954200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "break_glass_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "case_id" uuid NOT NULL, "mission_id" uuid NOT NULL, "reason" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "review_state" character varying(16) NOT NULL DEFAULT 'pending', "reviewed_by_id" uuid, "reviewed_at" TIMESTAMP WITH TIME ZONE, "review_note" text, CONSTRAINT "PK_b02d16f7854de523ef0f7ba9799" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "break_glass_grants_user_idx" ON "break_glass_grants" ("user_id", "expires_at") `);
    await queryRunner.query(`CREATE INDEX "break_glass_grants_mission_idx" ON "break_glass_grants" ("mission_id", "started_at") `);
    await queryRunner.query(`ALTER TABLE "missions" ADD "break_glass_minutes" integer NOT NULL DEFAULT '120'`);
    await queryRunner.query(
      `CREATE TRIGGER break_glass_grants_principal_changed AFTER INSERT OR UPDATE OR DELETE ON break_glass_grants
         FOR EACH ROW EXECUTE FUNCTION principal_changed('user_id')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER break_glass_grants_principal_changed ON break_glass_grants');
    await queryRunner.query(`ALTER TABLE "missions" DROP COLUMN "break_glass_minutes"`);
    await queryRunner.query(`DROP TABLE "break_glass_grants"`);
  }
}

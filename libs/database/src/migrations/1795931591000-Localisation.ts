import { MigrationInterface, QueryRunner } from 'typeorm';

// Localisation: the interface language a user chose (web app, notifications, certificates; NULL follows the
// browser), and notifications stored as a code with parameters so each reader sees them in their own language
// (`text` stays, in English, for older clients and rows written before this migration).

export class Localisation1795931591000 implements MigrationInterface {
  name = 'Localisation1795931591000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD "locale" character varying(8)');
    await queryRunner.query(
      "ALTER TABLE \"users\" ADD CONSTRAINT \"users_locale_check\" CHECK (\"locale\" IS NULL OR \"locale\" IN ('en', 'fr'))",
    );
    await queryRunner.query('ALTER TABLE "notifications" ADD "code" character varying(60)');
    await queryRunner.query('ALTER TABLE "notifications" ADD "params" jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "notifications" DROP COLUMN "params"');
    await queryRunner.query('ALTER TABLE "notifications" DROP COLUMN "code"');
    await queryRunner.query('ALTER TABLE "users" DROP CONSTRAINT "users_locale_check"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "locale"');
  }
}

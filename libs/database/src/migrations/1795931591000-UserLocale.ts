import { MigrationInterface, QueryRunner } from 'typeorm';

// The interface language a user chose (web app, notifications, certificates); NULL follows the browser.

export class UserLocale1795931591000 implements MigrationInterface {
  name = 'UserLocale1795931591000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD "locale" character varying(8)');
    await queryRunner.query(
      "ALTER TABLE \"users\" ADD CONSTRAINT \"users_locale_check\" CHECK (\"locale\" IS NULL OR \"locale\" IN ('en', 'fr'))",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" DROP CONSTRAINT "users_locale_check"');
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "locale"');
  }
}

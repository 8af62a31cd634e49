import { MigrationInterface, QueryRunner } from 'typeorm';

// Value checks of the training tables (kinds, languages, statuses, dates, score range): what the API validates,
// the database also refuses.

export class TrainingChecks1795413323532 implements MigrationInterface {
  name = 'TrainingChecks1795413323532';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"training_courses\" ADD CONSTRAINT \"training_courses_kind_check\" CHECK (\"certification_kind\" IS NULL OR \"certification_kind\" IN ('telemedicine_user', 'telemedicine_consultant', 'trainer'))");
    await queryRunner.query("ALTER TABLE \"training_courses\" ADD CONSTRAINT \"training_courses_status_check\" CHECK (\"status\" IN ('draft', 'published', 'archived'))");
    await queryRunner.query("ALTER TABLE \"training_courses\" ADD CONSTRAINT \"training_courses_language_check\" CHECK (\"language\" IN ('en', 'fr'))");
    await queryRunner.query("ALTER TABLE \"training_attempts\" ADD CONSTRAINT \"training_attempts_score_check\" CHECK (\"score\" IS NULL OR \"score\" BETWEEN 0 AND 100)");
    await queryRunner.query("ALTER TABLE \"training_certificates\" ADD CONSTRAINT \"training_certificates_dates_check\" CHECK (\"expires_at\" > \"issued_at\")");
    await queryRunner.query("ALTER TABLE \"training_certificates\" ADD CONSTRAINT \"training_certificates_kind_check\" CHECK (\"kind\" IN ('telemedicine_user', 'telemedicine_consultant', 'trainer'))");
    await queryRunner.query("ALTER TABLE \"training_waivers\" ADD CONSTRAINT \"training_waivers_dates_check\" CHECK (\"expires_at\" > \"starts_at\")");
    await queryRunner.query("ALTER TABLE \"training_waivers\" ADD CONSTRAINT \"training_waivers_kind_check\" CHECK (\"kind\" IN ('telemedicine_user', 'telemedicine_consultant', 'trainer'))");
    await queryRunner.query("ALTER TABLE \"training_resources\" ADD CONSTRAINT \"training_resources_kind_check\" CHECK (\"kind\" IN ('guide', 'sop', 'quick_reference'))");
    await queryRunner.query("ALTER TABLE \"training_resources\" ADD CONSTRAINT \"training_resources_language_check\" CHECK (\"language\" IN ('en', 'fr'))");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"training_resources\" DROP CONSTRAINT \"training_resources_language_check\"");
    await queryRunner.query("ALTER TABLE \"training_resources\" DROP CONSTRAINT \"training_resources_kind_check\"");
    await queryRunner.query("ALTER TABLE \"training_waivers\" DROP CONSTRAINT \"training_waivers_kind_check\"");
    await queryRunner.query("ALTER TABLE \"training_waivers\" DROP CONSTRAINT \"training_waivers_dates_check\"");
    await queryRunner.query("ALTER TABLE \"training_certificates\" DROP CONSTRAINT \"training_certificates_kind_check\"");
    await queryRunner.query("ALTER TABLE \"training_certificates\" DROP CONSTRAINT \"training_certificates_dates_check\"");
    await queryRunner.query("ALTER TABLE \"training_attempts\" DROP CONSTRAINT \"training_attempts_score_check\"");
    await queryRunner.query("ALTER TABLE \"training_courses\" DROP CONSTRAINT \"training_courses_language_check\"");
    await queryRunner.query("ALTER TABLE \"training_courses\" DROP CONSTRAINT \"training_courses_status_check\"");
    await queryRunner.query("ALTER TABLE \"training_courses\" DROP CONSTRAINT \"training_courses_kind_check\"");
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The silent-field-node alert (docs/monitoring.md, "Field nodes"):
 * - `missions.field_node_silent_hours`: a mission's own threshold (null: the hub's FIELD_NODE_SILENT_HOURS);
 * - `field_node_alerts`: one row per node while it is reported silent, naming the last contact the silence began
 *   at, so the alert is raised once per silence and cleared (with a notice) when the node reaches the hub again.
 *   No entity: written by raw SQL in libs/monitoring only.
 */
export class FieldNodeAlerts1795954300000 implements MigrationInterface {
  name = 'FieldNodeAlerts1795954300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "missions" ADD "field_node_silent_hours" integer`);
    await queryRunner.query(`CREATE TABLE field_node_alerts (
      node_id uuid PRIMARY KEY REFERENCES field_nodes(id) ON DELETE CASCADE,
      silent_since timestamptz NOT NULL,
      raised_at timestamptz NOT NULL
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE field_node_alerts`);
    await queryRunner.query(`ALTER TABLE "missions" DROP COLUMN "field_node_silent_hours"`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

// Snapshot paging (docs/field-node.md, "Pull"): the keys of the hub's rows that the pages of the snapshot in
// progress carried, kept in the node's database with each page (a snapshot cut halfway resumes from its cursor).
// When the last page is applied, rows of the hub's tables no page carried have left the facility's scope on the hub
// (deleted, a member who left) while the node was not reading the log, and are removed.
export class NodeSnapshotPaging1795954410000 implements MigrationInterface {
  name = 'NodeSnapshotPaging1795954410000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE node_snapshot_seen (table_name varchar(40) NOT NULL, record_id varchar(80) NOT NULL, PRIMARY KEY (table_name, record_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE node_snapshot_seen');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several hub instances on one PostgreSQL (docs/media.md, "Several hub instances"):
 * - `socket_io_attachments`: the socket.io PostgreSQL adapter's table for payloads over NOTIFY's 8000 bytes
 *   (its documented schema; it deletes old rows itself);
 * - `media_nodes`: each instance with mediasoup workers, its internal call address, load and heartbeat, and the
 *   backend pid of the connection it keeps open (its disappearance marks the node dead at once);
 * - `consultation_media_placements`: which node holds each live consultation's media room.
 * No entities: written by raw SQL in libs/consultations/src/cluster only.
 */
export class ClusterMediaNodes1795950500000 implements MigrationInterface {
  name = 'ClusterMediaNodes1795950500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE socket_io_attachments (
      id bigserial UNIQUE,
      created_at timestamptz DEFAULT now(),
      payload bytea
    )`);
    await queryRunner.query(`CREATE TABLE media_nodes (
      id uuid PRIMARY KEY,
      rpc_url text NOT NULL,
      announced_ip text,
      workers integer NOT NULL,
      load integer NOT NULL DEFAULT 0,
      backend_pid integer,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`CREATE TABLE consultation_media_placements (
      session_id uuid PRIMARY KEY REFERENCES consultation_sessions(id) ON DELETE CASCADE,
      node_id uuid NOT NULL,
      placed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`CREATE INDEX consultation_media_placements_node ON consultation_media_placements (node_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE consultation_media_placements`);
    await queryRunner.query(`DROP TABLE media_nodes`);
    await queryRunner.query(`DROP TABLE socket_io_attachments`);
  }
}

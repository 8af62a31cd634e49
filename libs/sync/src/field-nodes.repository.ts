import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope } from '@hub/access';
import type { FieldNodeView } from '@hub/contracts';

export interface NodeRow {
  id: string;
  name: string;
  mission_id: string;
  facility_id: string;
  facility_name: string;
  enrolled_at: Date | null;
  revoked_at: Date | null;
  last_contact_at: Date | null;
  backlog: number | null;
  version: string | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A node as the API shows it (administration, and the health managers' dashboard with its silence added). */
export function fieldNodeView(n: NodeRow): FieldNodeView {
  return {
    id: n.id,
    name: n.name,
    missionId: n.mission_id,
    facilityId: n.facility_id,
    facilityName: n.facility_name,
    status: n.revoked_at ? 'revoked' : n.enrolled_at ? 'active' : 'awaiting_enrolment',
    enrolledAt: iso(n.enrolled_at),
    lastContactAt: iso(n.last_contact_at),
    backlog: n.backlog,
    version: n.version,
    revokedAt: iso(n.revoked_at),
  };
}

const SELECT = `SELECT n.id, n.name, n.mission_id, n.facility_id, f.name AS facility_name, n.enrolled_at, n.revoked_at,
                       n.last_contact_at, n.backlog, n.version
                  FROM field_nodes n JOIN facilities f ON f.id = n.facility_id`;

/**
 * Field nodes. An administrator's list takes their `AccessScope<'FieldNode'>` (the field-node policy:
 * `admin-of-mission`, `system-admin`); a single node is loaded and then checked against the same policy
 * (`RecordAccess`). The lookups by credential serve the node's own authentication, which is not a user's.
 */
@Injectable()
export class FieldNodesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(scope: AccessScope<'FieldNode'>): Promise<NodeRow[]> {
    const params: unknown[] = [];
    return this.dataSource.query(`${SELECT} WHERE ${scope.where('n', params)} ORDER BY f.name, n.created_at`, params);
  }

  async byId(id: string, m: EntityManager = this.dataSource.manager): Promise<NodeRow | null> {
    const [row] = await m.query(`${SELECT} WHERE n.id = $1`, [id]);
    return row ?? null;
  }

  async byCredentialHash(hash: string, m: EntityManager = this.dataSource.manager): Promise<NodeRow | null> {
    const [row] = await m.query(`${SELECT} WHERE n.credential_hash = $1`, [hash]);
    return row ?? null;
  }

  async facility(id: string): Promise<{ id: string; name: string; missionIds: string[] } | null> {
    const [row] = await this.dataSource.query(
      `SELECT f.id, f.name, COALESCE(array_agg(fm.mission_id) FILTER (WHERE fm.mission_id IS NOT NULL), '{}') AS "missionIds"
         FROM facilities f LEFT JOIN facility_missions fm ON fm.facility_id = f.id WHERE f.id = $1 GROUP BY f.id`,
      [id],
    );
    return row ?? null;
  }

  async insert(
    m: EntityManager,
    n: { missionId: string; facilityId: string; name: string; enrolmentCodeHash: string; enrolmentExpiresAt: Date; createdById: string | null },
  ): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO field_nodes (mission_id, facility_id, name, enrolment_code_hash, enrolment_expires_at, created_by_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [n.missionId, n.facilityId, n.name, n.enrolmentCodeHash, n.enrolmentExpiresAt, n.createdById],
    );
    return row.id;
  }
}

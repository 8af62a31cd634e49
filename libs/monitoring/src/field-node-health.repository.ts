import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { FieldNodeHealth } from '@hub/contracts';
import { fieldNodeView, type NodeRow as SyncNodeRow } from '@hub/sync';

interface NodeRow extends SyncNodeRow {
  mission_code: string;
  hours: number;
  silent: boolean;
}

/** A node not heard from for its mission's threshold, with the last contact its silence began at. */
export interface SilentNode {
  id: string;
  name: string;
  missionId: string;
  facilityId: string;
  facilityName: string;
  lastContactAt: Date;
  hours: number;
}

/** A silence already told to the health managers (field_node_alerts), and where the node stands now. */
export interface RaisedSilence {
  nodeId: string;
  name: string;
  missionId: string;
  facilityId: string;
  facilityName: string;
  silentSince: Date;
  lastContactAt: Date | null;
  revoked: boolean;
}

/**
 * The field nodes of the given missions as the health manager's dashboard shows them, and the state of the
 * `field_node_silent` alert (docs/monitoring.md, "Field nodes"). Reads `field_nodes` (kept by libs/sync: last
 * contact at each authenticated call, backlog and version at each push); every query is bound to the missions given.
 */
@Injectable()
export class FieldNodeHealthRepository {
  constructor(private readonly dataSource: DataSource) {}

  private rows(missionIds: string[], now: Date, defaultHours: number, facilityId?: string): Promise<NodeRow[]> {
    return this.dataSource.query(
      `SELECT n.id, n.name, n.mission_id, ms.code AS mission_code, n.facility_id, f.name AS facility_name, n.enrolled_at, n.revoked_at,
              n.last_contact_at, n.backlog, n.version, coalesce(ms.field_node_silent_hours, $3::int) AS hours,
              (n.enrolled_at IS NOT NULL AND n.revoked_at IS NULL
                 AND coalesce(n.last_contact_at, n.enrolled_at) < $2::timestamptz - make_interval(hours => coalesce(ms.field_node_silent_hours, $3::int))) AS silent
         FROM field_nodes n JOIN facilities f ON f.id = n.facility_id JOIN missions ms ON ms.id = n.mission_id
        WHERE n.mission_id = ANY($1::uuid[]) AND ($4::uuid IS NULL OR n.facility_id = $4::uuid)
        ORDER BY f.name, n.name, n.id`,
      [missionIds, now, defaultHours, facilityId ?? null],
    );
  }

  async list(missionIds: string[], now: Date, defaultHours: number, facilityId?: string): Promise<FieldNodeHealth[]> {
    return (await this.rows(missionIds, now, defaultHours, facilityId)).map((n) => ({ ...fieldNodeView(n), silent: n.silent, silentAfterHours: n.hours }));
  }

  async silent(missionIds: string[], now: Date, defaultHours: number): Promise<SilentNode[]> {
    return (await this.rows(missionIds, now, defaultHours))
      .filter((n) => n.silent)
      .map((n) => ({
        id: n.id,
        name: n.name,
        missionId: n.mission_id,
        facilityId: n.facility_id,
        facilityName: n.facility_name,
        lastContactAt: new Date(n.last_contact_at ?? n.enrolled_at!),
        hours: n.hours,
      }));
  }

  /** Silences already told, with each node's current contact (a later contact: it came back). */
  async raised(missionIds: string[]): Promise<RaisedSilence[]> {
    const rows: {
      node_id: string; name: string; mission_id: string; facility_id: string; facility_name: string; silent_since: Date; last_contact_at: Date | null; revoked_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT a.node_id, n.name, n.mission_id, n.facility_id, f.name AS facility_name, a.silent_since, n.last_contact_at, n.revoked_at
         FROM field_node_alerts a JOIN field_nodes n ON n.id = a.node_id JOIN facilities f ON f.id = n.facility_id
        WHERE n.mission_id = ANY($1::uuid[])`,
      [missionIds],
    );
    return rows.map((r) => ({
      nodeId: r.node_id,
      name: r.name,
      missionId: r.mission_id,
      facilityId: r.facility_id,
      facilityName: r.facility_name,
      silentSince: new Date(r.silent_since),
      lastContactAt: r.last_contact_at ? new Date(r.last_contact_at) : null,
      revoked: !!r.revoked_at,
    }));
  }

  /**
   * Claims the telling of one silence (the node's silence that began at `since`): true once per silence, false if it
   * was told already. Runs in the caller's transaction with the notifications it sends.
   */
  async claim(m: EntityManager, nodeId: string, since: Date, now: Date): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO field_node_alerts (node_id, silent_since, raised_at) VALUES ($1, $2, $3)
       ON CONFLICT (node_id) DO UPDATE SET silent_since = EXCLUDED.silent_since, raised_at = EXCLUDED.raised_at
        WHERE field_node_alerts.silent_since <> EXCLUDED.silent_since
       RETURNING node_id`,
      [nodeId, since, now],
    );
    return rows.length > 0;
  }

  /** Ends a told silence; true if this call ended it (so the "back in contact" notice goes out once). */
  async clear(m: EntityManager, nodeId: string, since: Date): Promise<boolean> {
    const rows: unknown[] = await m.query(`DELETE FROM field_node_alerts WHERE node_id = $1 AND silent_since = $2 RETURNING node_id`, [nodeId, since]);
    return rows.length > 0;
  }
}

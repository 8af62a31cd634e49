import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MissionScope } from '@hub/access';
import { FacilityView } from '@hub/contracts';

interface Row {
  id: string;
  name: string;
  level: number;
  active: boolean;
  time_zone: string | null;
  mission_ids: string[];
}

const SELECT = `SELECT f.id, f.name, f.level, f.active, f.time_zone,
  COALESCE((SELECT array_agg(fm.mission_id ORDER BY fm.mission_id) FROM facility_missions fm WHERE fm.facility_id = f.id), '{}') AS mission_ids
  FROM facilities f`;

const toView = (r: Row): FacilityView => ({
  id: r.id,
  name: r.name,
  level: r.level as FacilityView['level'],
  active: r.active,
  timeZone: r.time_zone,
  missionIds: r.mission_ids,
});

@Injectable()
export class FacilitiesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Facilities serving at least one mission in scope (optionally one given mission). */
  async list(scope: MissionScope, filter: { missionId?: string } = {}): Promise<FacilityView[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (scope.kind === 'missions') {
      params.push(scope.missionIds);
      where.push(`EXISTS (SELECT 1 FROM facility_missions s WHERE s.facility_id = f.id AND s.mission_id = ANY($${params.length}::uuid[]))`);
    }
    if (filter.missionId) {
      params.push(filter.missionId);
      where.push(`EXISTS (SELECT 1 FROM facility_missions s WHERE s.facility_id = f.id AND s.mission_id = $${params.length})`);
    }
    const rows: Row[] = await this.dataSource.query(
      `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY f.level, f.name`,
      params,
    );
    return rows.map(toView);
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<FacilityView | null> {
    const rows: Row[] = await manager.query(`${SELECT} WHERE f.id = $1`, [id]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async setMissions(manager: EntityManager, facilityId: string, missionIds: string[]): Promise<void> {
    await manager.query('DELETE FROM facility_missions WHERE facility_id = $1', [facilityId]);
    await manager.query(
      'INSERT INTO facility_missions (facility_id, mission_id) SELECT $1, unnest($2::uuid[])',
      [facilityId, missionIds],
    );
  }
}

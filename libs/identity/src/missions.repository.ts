import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MissionScope } from '@hub/access';
import { Mission } from './entities/mission.entity';

@Injectable()
export class MissionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(scope: MissionScope): Promise<Mission[]> {
    const qb = this.dataSource.getRepository(Mission).createQueryBuilder('m').orderBy('m.code');
    if (scope.kind === 'missions') qb.where('m.id = ANY(:ids)', { ids: scope.missionIds });
    return qb.getMany();
  }

  /** Unscoped load by id: the caller's service checks the record with RecordAccess before using it. */
  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Mission | null> {
    return manager.getRepository(Mission).findOneBy({ id });
  }

  /** The subset of `ids` that exist. */
  async existing(ids: string[], manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query('SELECT id FROM missions WHERE id = ANY($1::uuid[])', [ids]);
    return rows.map((r) => r.id);
  }
}

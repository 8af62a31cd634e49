import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Patient } from './entities/patient.entity';

/** Patient queries. List methods take the missions the caller may read patients of. */
@Injectable()
export class PatientsRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(missionIds: readonly string[], filter: { q?: string } = {}): Promise<Patient[]> {
    if (!missionIds.length) return Promise.resolve([]);
    const qb = this.dataSource
      .getRepository(Patient)
      .createQueryBuilder('p')
      .where('p.missionId = ANY(:missionIds)', { missionIds })
      .orderBy('p.lastName')
      .addOrderBy('p.firstName')
      .limit(200);
    if (filter.q) {
      qb.andWhere(`(p.lastName ILIKE :q OR p.firstName ILIKE :q OR p.serviceNumber ILIKE :q)`, {
        q: `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    return qb.getMany();
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Patient | null> {
    return manager.getRepository(Patient).findOneBy({ id });
  }

  findByServiceNumber(missionId: string, serviceNumber: string, manager: EntityManager): Promise<Patient | null> {
    return manager
      .getRepository(Patient)
      .createQueryBuilder('p')
      .where('p.missionId = :missionId AND upper(p.serviceNumber) = upper(:serviceNumber)', { missionId, serviceNumber })
      .getOne();
  }
}

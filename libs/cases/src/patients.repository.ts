import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessScope } from '@hub/access';
import { Patient } from './entities/patient.entity';

/** Patient queries. Lists take the caller's `AccessScope<'Patient'>` (the patient policy's rules in SQL). */
@Injectable()
export class PatientsRepository {
  constructor(private readonly dataSource: DataSource) {}

  list(scope: AccessScope<'Patient'>, filter: { q?: string } = {}): Promise<Patient[]> {
    const params: unknown[] = [];
    const where = scope.where('p', params);
    // TypeORM names parameters; the policy numbers them: rename $n to :scope_n.
    const named = Object.fromEntries(params.map((v, i) => [`scope_${i + 1}`, v]));
    const qb = this.dataSource
      .getRepository(Patient)
      .createQueryBuilder('p')
      .where(where.replace(/\$(\d+)/g, ':scope_$1'), named)
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

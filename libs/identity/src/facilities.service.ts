import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Action, actorOf, CallerContext, RecordAccess, scopeFor, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException, ErrorCode } from '@hub/common';
import { FacilityView } from '@hub/contracts';
import { CreateFacilityDto, UpdateFacilityDto } from './dto/admin.dto';
import { Facility } from './entities/facility.entity';
import { FacilitiesRepository } from './facilities.repository';
import { MissionsRepository } from './missions.repository';

@Injectable()
export class FacilitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly facilities: FacilitiesRepository,
    private readonly missions: MissionsRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
  ) {}

  list(caller: CallerContext, filter: { missionId?: string }): Promise<FacilityView[]> {
    return this.facilities.list(scopeFor(caller.principal, Action.Read, 'Facility'), filter);
  }

  async get(caller: CallerContext, id: string): Promise<FacilityView> {
    const f = await this.facilities.findById(id);
    return this.access.assert(caller, Action.Read, 'Facility', f, { id, missionId: f?.missionIds[0] ?? null });
  }

  async create(caller: CallerContext, dto: CreateFacilityDto): Promise<FacilityView> {
    this.checkLevel(dto.level, dto.missionIds);
    return this.dataSource.transaction(async (manager) => {
      await this.checkMissions(caller, manager, dto.missionIds, Action.Create);
      const f = await manager.getRepository(Facility).save(manager.create(Facility, { name: dto.name, level: dto.level }));
      await this.facilities.setMissions(manager, f.id, dto.missionIds);
      for (const missionId of dto.missionIds) {
        await this.audit.record(
          { ...actorOf(caller), action: 'facility.create', outcome: 'success', missionId, subjectType: 'Facility', subjectId: f.id },
          manager,
        );
      }
      return (await this.facilities.findById(f.id, manager))!;
    });
  }

  async update(caller: CallerContext, id: string, dto: UpdateFacilityDto): Promise<FacilityView> {
    return this.dataSource.transaction(async (manager) => {
      const found = await this.facilities.findById(id, manager);
      const current = await this.access.assert(caller, Action.Update, 'Facility', found, {
        id,
        missionId: found?.missionIds[0] ?? null,
      });
      const level = dto.level ?? current.level;
      const missionIds = dto.missionIds ?? current.missionIds;
      this.checkLevel(level, missionIds);
      if (dto.missionIds) await this.checkMissions(caller, manager, dto.missionIds, Action.Update);
      const { missionIds: _omit, ...fields } = dto;
      if (Object.keys(fields).length) await manager.getRepository(Facility).update(id, fields);
      if (dto.missionIds) await this.facilities.setMissions(manager, id, dto.missionIds);
      for (const missionId of new Set([...current.missionIds, ...missionIds])) {
        await this.audit.record(
          {
            ...actorOf(caller),
            action: 'facility.update',
            outcome: 'success',
            missionId,
            subjectType: 'Facility',
            subjectId: id,
            details: { fields: Object.keys(dto) },
          },
          manager,
        );
      }
      return (await this.facilities.findById(id, manager))!;
    });
  }

  private checkLevel(level: number, missionIds: string[]) {
    if (level < 4 && missionIds.length !== 1) {
      throw DomainException.invalid('missionIds', 'a Level 1-3 facility belongs to exactly one mission');
    }
  }

  /** The missions named in the body must exist and be ones the caller may act in; otherwise they are "not found". */
  private async checkMissions(caller: CallerContext, manager: EntityManager, missionIds: string[], action: Action) {
    const existing = new Set(await this.missions.existing(missionIds, manager));
    for (const missionId of missionIds) {
      if (!existing.has(missionId) || !caller.ability.can(action, subjectOf('Facility', { missionIds: [missionId] }))) {
        throw new DomainException(ErrorCode.NotFound, `missionIds: mission ${missionId} not found`);
      }
    }
  }

}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, actorOf, CallerContext, RecordAccess, scopeFor } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException } from '@hub/common';
import { MissionView } from '@hub/contracts';
import { CreateMissionDto, UpdateMissionDto } from './dto/admin.dto';
import { Mission } from './entities/mission.entity';
import { MissionsRepository } from './missions.repository';

const view = (m: Mission): MissionView => ({
  id: m.id,
  code: m.code,
  name: m.name,
  mfaRequiredForAll: m.mfaRequiredForAll,
  active: m.active,
  timeZone: m.timeZone,
  staffSelfBooking: m.staffSelfBooking,
  breakGlassMinutes: m.breakGlassMinutes,
  fieldNodeSilentHours: m.fieldNodeSilentHours ?? null,
  recordingRetentionDays: m.recordingRetentionDays,
});

@Injectable()
export class MissionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly missions: MissionsRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
  ) {}

  async list(caller: CallerContext): Promise<MissionView[]> {
    return (await this.missions.list(scopeFor(caller.principal, Action.Read, 'Mission'))).map(view);
  }

  async get(caller: CallerContext, id: string): Promise<MissionView> {
    const m = await this.missions.findById(id);
    return view(await this.access.assert(caller, Action.Read, 'Mission', m, { id, missionId: m?.id ?? null }));
  }

  async create(caller: CallerContext, dto: CreateMissionDto): Promise<MissionView> {
    return this.dataSource.transaction(async (manager) => {
      const exists = await manager.getRepository(Mission).findOneBy({ code: dto.code });
      if (exists) throw DomainException.conflict(`code: a mission with code ${dto.code} already exists`, 'mission_code_taken', { code: dto.code });
      const m = await manager.getRepository(Mission).save(manager.create(Mission, dto));
      await this.audit.record(
        { ...actorOf(caller), action: 'mission.create', outcome: 'success', missionId: m.id, subjectType: 'Mission', subjectId: m.id },
        manager,
      );
      return view(m);
    });
  }

  async update(caller: CallerContext, id: string, dto: UpdateMissionDto): Promise<MissionView> {
    return this.dataSource.transaction(async (manager) => {
      const found = await this.missions.findById(id, manager);
      const m = await this.access.assert(caller, Action.Update, 'Mission', found, { id, missionId: found?.id ?? null });
      Object.assign(m, dto);
      await manager.getRepository(Mission).save(m);
      await this.audit.record(
        {
          ...actorOf(caller),
          action: 'mission.update',
          outcome: 'success',
          missionId: m.id,
          subjectType: 'Mission',
          subjectId: m.id,
          details: { fields: Object.keys(dto) },
        },
        manager,
      );
      return view(m);
    });
  }

}

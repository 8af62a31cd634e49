import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Action, actorOf, CallerContext, clinicalScopeOf, PatientRule, patientScopeOf, RecordAccess, subjectOf } from '@hub/access';
import { AuditService } from '@hub/audit';
import { DomainException, ErrorCode } from '@hub/common';
import type { PatientView } from '@hub/contracts';
import { CreatePatientDto, TransferPatientDto, UpdatePatientDto } from './dto/patient.dto';
import { PatientTransfer } from './entities/patient-transfer.entity';
import { Patient } from './entities/patient.entity';
import { PatientsRepository } from './patients.repository';

export function maskServiceNumber(n: string): string {
  return `•••${n.slice(-4)}`;
}

@Injectable()
export class PatientsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly patients: PatientsRepository,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
  ) {}

  /** Clinic staff of the patient's mission see the service number; others see it masked. */
  view(caller: CallerContext, p: Patient, transfers?: PatientTransfer[]): PatientView {
    const full = patientScopeOf(caller.principal).matches({ missionId: p.missionId }, { only: [PatientRule.ClinicMission] });
    return {
      id: p.id,
      missionId: p.missionId,
      serviceNumber: full ? p.serviceNumber : maskServiceNumber(p.serviceNumber),
      serviceNumberMasked: !full,
      firstName: p.firstName,
      lastName: p.lastName,
      dateOfBirth: p.dateOfBirth,
      sex: p.sex,
      nationality: p.nationality,
      contingent: p.contingent,
      unit: p.unit,
      bloodGroup: p.bloodGroup,
      allergies: p.allergies,
      chronicConditions: p.chronicConditions,
      currentFacilityId: p.currentFacilityId,
      ...(transfers
        ? {
            transfers: transfers.map((t) => ({
              fromFacilityId: t.fromFacilityId,
              toFacilityId: t.toFacilityId,
              note: t.note,
              transferredAt: t.transferredAt.toISOString(),
            })),
          }
        : {}),
    };
  }

  async list(caller: CallerContext, q?: string): Promise<PatientView[]> {
    const scope = patientScopeOf(caller.principal);
    const rows = await this.patients.list(scope, { q });
    const missionIds = scope.values('missionId');
    await this.audit.record({
      ...actorOf(caller),
      action: 'patient.list',
      outcome: 'success',
      missionId: missionIds.length === 1 ? missionIds[0] : null,
      subjectType: 'Patient',
      details: { count: rows.length, searched: !!q },
    });
    return rows.map((p) => this.view(caller, p));
  }

  async get(caller: CallerContext, id: string): Promise<PatientView> {
    const p = await this.load(caller, Action.Read, id);
    const transfers = await this.dataSource.getRepository(PatientTransfer).find({ where: { patientId: id }, order: { transferredAt: 'ASC' } });
    await this.audit.record({ ...actorOf(caller), action: 'patient.read', outcome: 'success', missionId: p.missionId, subjectType: 'Patient', subjectId: id });
    return this.view(caller, p, transfers);
  }

  async create(caller: CallerContext, dto: CreatePatientDto): Promise<PatientView> {
    return this.dataSource.transaction(async (manager) => {
      const facilityId = this.clinicOf(caller, dto.currentFacilityId);
      const missionId = await this.missionOfClinic(manager, facilityId);
      if (!caller.ability.can(Action.Create, subjectOf('Patient', { missionId }))) {
        throw new DomainException(ErrorCode.Forbidden, 'You cannot register patients in this mission');
      }
      const duplicate = await this.patients.findByServiceNumber(missionId, dto.serviceNumber, manager);
      if (duplicate) {
        throw DomainException.conflict(
          `serviceNumber: a patient with this service number is already registered in the mission (patient ${duplicate.id})`,
          'service_number_taken',
          { patientId: duplicate.id },
        );
      }
      const p = await manager.getRepository(Patient).save(
        manager.create(Patient, {
          ...dto,
          missionId,
          currentFacilityId: facilityId,
          bloodGroup: dto.bloodGroup ?? 'unknown',
          allergies: dto.allergies ?? [],
          chronicConditions: dto.chronicConditions ?? [],
          unit: dto.unit ?? null,
          createdById: caller.principal.userId,
        }),
      );
      await this.audit.record({ ...actorOf(caller), action: 'patient.create', outcome: 'success', missionId, subjectType: 'Patient', subjectId: p.id }, manager);
      return this.view(caller, p);
    });
  }

  async update(caller: CallerContext, id: string, dto: UpdatePatientDto): Promise<PatientView> {
    return this.dataSource.transaction(async (manager) => {
      const p = await this.load(caller, Action.Update, id, manager);
      if (dto.currentFacilityId && dto.currentFacilityId !== p.currentFacilityId) {
        throw DomainException.invalid('currentFacilityId', 'use the transfer action to move a patient between facilities');
      }
      if (dto.serviceNumber && dto.serviceNumber.toUpperCase() !== p.serviceNumber.toUpperCase()) {
        const dup = await this.patients.findByServiceNumber(p.missionId, dto.serviceNumber, manager);
        if (dup) throw DomainException.conflict(`serviceNumber: already registered in the mission (patient ${dup.id})`, 'service_number_taken', { patientId: dup.id });
      }
      Object.assign(p, dto);
      await manager.getRepository(Patient).save(p);
      await this.audit.record(
        { ...actorOf(caller), action: 'patient.update', outcome: 'success', missionId: p.missionId, subjectType: 'Patient', subjectId: id, details: { fields: Object.keys(dto) } },
        manager,
      );
      return this.view(caller, p);
    });
  }

  /** Moves the patient to another facility of the same mission, keeping the history. */
  async transfer(caller: CallerContext, id: string, dto: TransferPatientDto): Promise<PatientView> {
    return this.dataSource.transaction(async (manager) => {
      const p = await this.load(caller, Action.Update, id, manager);
      const rows: { ok: boolean }[] = await manager.query(
        'SELECT true AS ok FROM facility_missions WHERE facility_id = $1 AND mission_id = $2',
        [dto.toFacilityId, p.missionId],
      );
      if (!rows.length) throw new DomainException(ErrorCode.NotFound, 'toFacilityId: facility not found in the patient’s mission');
      if (dto.toFacilityId === p.currentFacilityId) throw DomainException.invalid('toFacilityId', 'the patient is already at this facility');
      await manager.getRepository(PatientTransfer).insert({
        patientId: id,
        fromFacilityId: p.currentFacilityId,
        toFacilityId: dto.toFacilityId,
        note: dto.note ?? null,
        transferredById: caller.principal.userId,
      });
      p.currentFacilityId = dto.toFacilityId;
      await manager.getRepository(Patient).save(p);
      await this.audit.record(
        { ...actorOf(caller), action: 'patient.transfer', outcome: 'success', missionId: p.missionId, subjectType: 'Patient', subjectId: id },
        manager,
      );
      const transfers = await manager.getRepository(PatientTransfer).find({ where: { patientId: id }, order: { transferredAt: 'ASC' } });
      return this.view(caller, p, transfers);
    });
  }

  async load(caller: CallerContext, action: Action, id: string, manager?: EntityManager): Promise<Patient> {
    const p = await this.patients.findById(id, manager);
    return this.access.assert(caller, action, 'Patient', p, { id, missionId: p?.missionId ?? null });
  }

  /**
   * The patient of a case the caller may read. Reading a case gives sight of its patient (a specialist has no
   * right to browse patients), so the case's access check stands for the patient's here.
   */
  async unchecked(id: string, manager?: EntityManager): Promise<Patient> {
    const p = await this.patients.findById(id, manager);
    if (!p) throw DomainException.notFound('Patient');
    return p;
  }

  /** The officer's clinic: the one named (if it is theirs) or their only one. */
  clinicOf(caller: CallerContext, facilityId?: string): string {
    const clinics = clinicalScopeOf(caller.principal).clinicFacilityIds;
    if (facilityId) {
      if (!clinics.includes(facilityId)) throw new DomainException(ErrorCode.NotFound, 'facilityId: facility not found among your clinics');
      return facilityId;
    }
    if (clinics.length === 1) return clinics[0];
    if (!clinics.length) throw new DomainException(ErrorCode.Forbidden, 'Only clinic staff can do this');
    throw DomainException.invalid('facilityId', 'you work at several clinics; name the facility');
  }

  async missionOfClinic(manager: EntityManager, facilityId: string): Promise<string> {
    const rows: { mission_id: string }[] = await manager.query('SELECT mission_id FROM facility_missions WHERE facility_id = $1', [facilityId]);
    if (rows.length !== 1) throw DomainException.invalid('facilityId', 'a clinic belongs to exactly one mission');
    return rows[0].mission_id;
  }

}

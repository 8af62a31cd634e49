import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Action, actorOf, attachmentScopeOf, CallerContext, caseScopeOf, clinicalMissionsOf, emergencyAuditDetails, emergencyGrantFor, isAssignedDoctor, RecordAccess, sensitiveAudience, subjectOf, writesInCaseThread } from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException, ErrorCode } from '@hub/common';
import { CaseEvent, CasePage, CaseView, NotificationCode, NotificationKind, NotificationParams, URGENCY_RANK } from '@hub/contracts';
import { Mission } from '@hub/identity';
import { Notification, NotificationsService } from '@hub/notifications';
import { canApply, nextStatus } from './case-workflow';
import { AttachmentsRepository } from './attachments.repository';
import { caseReference, CasesRepository } from './cases.repository';
import { CaseListQuery, CreateCaseDto, HandOverDto, MessageDto, OutcomeDto, RequestInformationDto, ResubmitDto, UpdateCaseDto } from './dto/case.dto';
import { CaseAttachment } from './entities/attachment.entity';
import { CaseMessage, MessageKind } from './entities/case-message.entity';
import { CaseTransition } from './entities/case-transition.entity';
import { ReferralCase } from './entities/referral-case.entity';
import { Specialty } from './entities/specialty.entity';
import { caseToFhirBundle } from './fhir-export';
import { AnswerWithPlanDto } from './dto/follow-up.dto';
import { FollowUpService } from './follow-up.service';
import { PatientsService } from './patients.service';

const REFER_EVENTS: CaseEvent[] = ['submit', 'resubmit', 'close', 'cancel'];
const CONSULT_EVENTS: CaseEvent[] = ['accept', 'request_information', 'answer', 'hand_over'];

interface Pending {
  /** Recipients, read in the transaction that makes the change. */
  to: (m: EntityManager) => Promise<string[]>;
  kind: NotificationKind;
  /** Catalogue key when it differs from the kind (one kind, several sentences). */
  code?: NotificationCode;
  params: NotificationParams;
  text: string;
}

/** The break-the-glass grant through which the caller reads the case, for the banner of the case's pages. */
function emergencyView(caller: CallerContext, c: ReferralCase): CaseView['emergencyAccess'] {
  const g = emergencyGrantFor(caller.principal, { ...c });
  return g ? { grantId: g.id, reason: g.reason, expiresAt: g.expiresAt } : null;
}

@Injectable()
export class CasesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesRepository,
    private readonly patients: PatientsService,
    private readonly access: RecordAccess,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly followUps: FollowUpService,
    private readonly attachments: AttachmentsRepository,
  ) {}

  // ---- reading ---------------------------------------------------------------------------------------------

  async list(caller: CallerContext, q: CaseListQuery): Promise<CasePage> {
    const scope = caseScopeOf(caller.principal);
    const page = { cursor: q.cursor, limit: q.limit ?? 25 };
    const result =
      q.view === 'queue' ? await this.cases.queue(scope, page, this.clock.now()) : await this.cases.mine(scope, page, this.clock.now());
    // Audited in the caller's mission chain when they work in one mission (chains append one at a time).
    const missions = clinicalMissionsOf(caller.principal);
    await this.audit.record({
      ...actorOf(caller),
      action: `case.list_${q.view ?? 'mine'}`,
      outcome: 'success',
      missionId: missions.length === 1 ? missions[0] : null,
      subjectType: 'Case',
      details: { count: result.items.length, ids: result.items.map((c) => c.id) },
    });
    return result;
  }

  async get(caller: CallerContext, id: string): Promise<CaseView> {
    const c = await this.load(caller, Action.Read, id);
    // A read under a break-the-glass grant is marked as emergency access, with the grant and its reason.
    const emergency = emergencyAuditDetails(caller.principal, { ...c });
    await this.audit.record({ ...actorOf(caller), action: 'case.read', outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: id, ...(emergency.emergencyAccess ? { details: emergency } : {}) });
    return this.view(caller, c);
  }

  /** The case as a FHIR R4 Bundle; audited as an export (which includes the read). */
  async fhirBundle(caller: CallerContext, id: string, baseUrl: string): Promise<Record<string, unknown>> {
    const c = await this.load(caller, Action.Read, id);
    const emergency = emergencyAuditDetails(caller.principal, { ...c });
    await this.audit.record({ ...actorOf(caller), action: 'case.fhir_export', outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: id, ...(emergency.emergencyAccess ? { details: emergency } : {}) });
    return caseToFhirBundle(await this.view(caller, c), baseUrl, this.clock.now());
  }

  specialties(): Promise<Specialty[]> {
    return this.dataSource.getRepository(Specialty).find({ where: { active: true }, order: { name: 'ASC' } });
  }

  async view(caller: CallerContext, c: ReferralCase, manager: EntityManager = this.dataSource.manager): Promise<CaseView> {
    const summary = await this.cases.summary(c.id, this.clock.now(), manager);
    // The case's access check (done by the caller of view) stands for its patient.
    const patient = this.patients.view(caller, await this.patients.unchecked(c.patientId, manager));
    const thread = await this.cases.thread(c.id, c.responsibleOfficerId, manager);
    // Ready files, and those a field node is still sending (the case's text arrived first; the photo follows).
    const attachments = (await this.attachments.forCase(attachmentScopeOf(caller.principal), c.id, ['ready', 'uploading'], manager)).filter(
      (a) => a.status === 'ready' || a.receivedBytes !== null,
    );
    const plan = thread.hasPlan ? await this.followUps.planView(c.id, manager) : null;
    const may = (e: CaseEvent) =>
      canApply(c.status, e) &&
      caller.ability.can(REFER_EVENTS.includes(e) ? Action.Refer : Action.Consult, subjectOf('Case', c)) &&
      (!['answer', 'request_information', 'hand_over'].includes(e) || isAssignedDoctor(caller.principal, { ...c }));
    return {
      ...summary,
      requestedById: c.requestedById,
      consentGiven: c.consentGiven,
      consentNote: c.consentNote,
      presentingComplaint: c.presentingComplaint,
      history: c.history,
      vitals: c.vitals,
      examination: c.examination,
      workingDiagnosis: c.workingDiagnosis,
      question: c.question,
      acceptedAt: c.acceptedAt?.toISOString() ?? null,
      assessment: c.assessment,
      recommendation: c.recommendation,
      evacuationAdvice: c.evacuationAdvice,
      answeredAt: c.answeredAt?.toISOString() ?? null,
      outcome: c.outcome,
      outcomeReportedAt: c.outcomeReportedAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      patient,
      transitions: thread.transitions,
      messages: thread.messages.map((m) => ({ ...m, attachmentIds: attachments.filter((a) => a.messageId === m.id).map((a) => a.id) })),
      attachments: attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        mediaType: a.mediaType,
        size: Number(a.size),
        status: a.status,
        hasThumbnail: a.hasThumbnail,
        messageId: a.messageId,
        createdAt: a.createdAt.toISOString(),
        ...(a.status === 'uploading' ? { receivedBytes: Number(a.receivedBytes ?? 0) } : {}),
      })),
      escalations: thread.escalations,
      plan,
      responsibleOfficerId: c.responsibleOfficerId,
      responsibleOfficerName: thread.responsibleOfficerName,
      allowedActions: (['submit', 'accept', 'request_information', 'resubmit', 'answer', 'close', 'cancel', 'hand_over'] as CaseEvent[]).filter(may),
      sensitive: c.sensitive,
      emergencyAccess: emergencyView(caller, c),
    };
  }

  // ---- the clinic's side ----------------------------------------------------------------------------------

  async create(caller: CallerContext, dto: CreateCaseDto): Promise<CaseView> {
    const { submit, facilityId: requestedFacility, ...fields } = dto;
    const pending: Pending[] = [];
    let notes: Notification[] = [];
    const saved = await this.dataSource.transaction(async (manager) => {
      const facilityId = this.patients.clinicOf(caller, requestedFacility);
      const patient = await this.patients.load(caller, Action.Read, dto.patientId, manager);
      const missionId = await this.patients.missionOfClinic(manager, facilityId);
      if (patient.missionId !== missionId) throw new DomainException(ErrorCode.NotFound, 'patientId: patient not found in this mission');
      await this.checkSpecialty(manager, dto.specialtyCode);
      if (!caller.ability.can(Action.Refer, subjectOf('Case', { facilityId, missionId }))) {
        throw new DomainException(ErrorCode.Forbidden, 'You cannot open cases for this clinic');
      }
      const c = await manager.getRepository(ReferralCase).save(
        manager.create(ReferralCase, {
          ...fields,
          history: fields.history ?? '',
          examination: fields.examination ?? '',
          workingDiagnosis: fields.workingDiagnosis ?? '',
          consentNote: fields.consentNote ?? null,
          vitals: { ...(fields.vitals ?? {}) },
          urgencyRank: URGENCY_RANK[dto.urgency],
          missionId,
          facilityId,
          requestedById: caller.principal.userId,
          responsibleOfficerId: caller.principal.userId,
          status: 'draft',
        }),
      );
      await this.recordTransition(manager, c, null, 'draft', caller, null);
      await this.audit.record({ ...actorOf(caller), action: 'case.create', outcome: 'success', missionId, subjectType: 'Case', subjectId: c.id }, manager);
      if (submit) await this.doSubmit(manager, caller, c, null, pending);
      notes = await this.flush(manager, pending, c);
      return c;
    });
    this.notifications.publish(notes);
    return this.view(caller, saved);
  }

  async update(caller: CallerContext, id: string, dto: UpdateCaseDto): Promise<CaseView> {
    const c = await this.dataSource.transaction(async (manager) => {
      const c = await this.load(caller, Action.Refer, id, manager, true);
      if (c.status !== 'draft') throw DomainException.conflict(`Only a draft can be edited; this case is ${c.status.replace('_', ' ')}`, 'case_not_draft', { status: c.status });
      if (dto.specialtyCode) await this.checkSpecialty(manager, dto.specialtyCode);
      Object.assign(c, dto, dto.urgency ? { urgencyRank: URGENCY_RANK[dto.urgency] } : {});
      await manager.getRepository(ReferralCase).save(c);
      await this.audit.record({ ...actorOf(caller), action: 'case.update', outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: id, details: { fields: Object.keys(dto) } }, manager);
      return c;
    });
    return this.view(caller, c);
  }

  submit(caller: CallerContext, id: string, note?: string) {
    return this.move(caller, id, 'submit', async (m, c, pending) => this.doSubmit(m, caller, c, note ?? null, pending), false);
  }

  resubmit(caller: CallerContext, id: string, dto: ResubmitDto) {
    return this.move(caller, id, 'resubmit', async (m, c, pending) => {
      await this.postMessage(m, caller, c, 'information_response', dto.message, dto.attachmentIds);
      c.deadlineAt = await this.deadline(m, c);
      pending.push({ to: async () => (c.assignedDoctorId ? [c.assignedDoctorId] : []), kind: 'case.resubmitted', params: { reference: caseReference(c.id) }, text: `${caseReference(c.id)}: the clinic answered your request for information` });
    });
  }

  close(caller: CallerContext, id: string, dto: OutcomeDto) {
    if (dto.evacuationDone && dto.evacuationAvoided) {
      throw DomainException.invalid('evacuationAvoided', 'an evacuation cannot be both done and avoided');
    }
    return this.move(caller, id, 'close', async (m, c, pending) => {
      c.outcome = { outcome: dto.outcome, evacuationDone: dto.evacuationDone, evacuationAvoided: dto.evacuationAvoided, ...(dto.note ? { note: dto.note } : {}) };
      c.outcomeReportedAt = this.clock.now();
      c.closedAt = this.clock.now();
      pending.push({ to: async () => [c.assignedDoctorId, c.answeredById].filter((x): x is string => !!x), kind: 'case.outcome_reported', params: { reference: caseReference(c.id), outcome: dto.outcome }, text: `${caseReference(c.id)}: the clinic reported the outcome (${dto.outcome.replace('_', ' ')})` });
    }, true, dto.note);
  }

  cancel(caller: CallerContext, id: string, note?: string) {
    return this.move(caller, id, 'cancel', async (_m, c, pending) => {
      pending.push({ to: async () => (c.assignedDoctorId ? [c.assignedDoctorId] : []), kind: 'case.message', code: 'case.cancelled', params: { reference: caseReference(c.id) }, text: `${caseReference(c.id)} was cancelled by the clinic` });
    }, true, note);
  }

  // ---- the specialist's side ------------------------------------------------------------------------------

  /** Exactly one of two doctors accepting at once wins: the row is locked and the status checked inside. */
  accept(caller: CallerContext, id: string) {
    return this.move(caller, id, 'accept', async (_m, c, pending) => {
      c.assignedDoctorId = caller.principal.userId;
      c.acceptedAt = this.clock.now();
      pending.push({ to: (m) => this.cases.clinicStaff(c.facilityId, m), kind: 'case.accepted', params: { reference: caseReference(c.id), name: caller.principal.displayName }, text: `${caseReference(c.id)} was accepted by ${caller.principal.displayName}` });
    });
  }

  requestInformation(caller: CallerContext, id: string, dto: RequestInformationDto) {
    return this.move(caller, id, 'request_information', async (m, c, pending) => {
      this.assertAssigned(caller, c);
      await this.postMessage(m, caller, c, 'information_request', dto.question);
      pending.push({ to: (m) => this.cases.clinicStaff(c.facilityId, m), kind: 'case.information_requested', params: { reference: caseReference(c.id) }, text: `${caseReference(c.id)}: the specialist asks for more information` });
    }, true, dto.question.slice(0, 1000));
  }

  answer(caller: CallerContext, id: string, dto: AnswerWithPlanDto) {
    return this.move(caller, id, 'answer', async (m, c, pending) => {
      this.assertAssigned(caller, c);
      if (dto.plan) await this.followUps.setPlan(m, caller, c, dto.plan);
      c.assessment = dto.assessment;
      c.recommendation = dto.recommendation;
      c.evacuationAdvice = dto.evacuation.type === 'none' ? { type: 'none' } : { type: dto.evacuation.type, priority: dto.evacuation.priority, destinationLevel: dto.evacuation.destinationLevel };
      c.answeredById = caller.principal.userId;
      c.answeredAt = this.clock.now();
      const evac = dto.evacuation.type === 'none' ? '' : ` — ${dto.evacuation.type.toUpperCase()} advised`;
      pending.push({ to: (m) => this.cases.clinicStaff(c.facilityId, m), kind: 'case.answered', code: evac ? 'case.answered_evacuation' : 'case.answered', params: { reference: caseReference(c.id), evacuation: dto.evacuation.type }, text: `${caseReference(c.id)}: the specialist answered${evac}` });
    });
  }

  handOver(caller: CallerContext, id: string, dto: HandOverDto) {
    return this.move(caller, id, 'hand_over', async (m, c, pending) => {
      this.assertAssigned(caller, c);
      if (dto.doctorId === caller.principal.userId) throw DomainException.invalid('doctorId', 'choose a colleague, not yourself');
      const primary = await this.cases.doctorsFor(c.missionId, c.specialtyCode, false, m);
      const backup = await this.cases.doctorsFor(c.missionId, c.specialtyCode, true, m);
      if (![...primary, ...backup].includes(dto.doctorId)) {
        throw new DomainException(ErrorCode.NotFound, 'doctorId: no reference doctor of this specialty serving the mission has this id');
      }
      c.assignedDoctorId = dto.doctorId;
      pending.push({ to: async () => [dto.doctorId], kind: 'case.handed_over', params: { reference: caseReference(c.id), name: caller.principal.displayName }, text: `${caseReference(c.id)} was handed over to you by ${caller.principal.displayName}` });
    }, true, dto.note);
  }

  // ---- thread ---------------------------------------------------------------------------------------------

  async addMessage(caller: CallerContext, id: string, dto: MessageDto): Promise<CaseView> {
    const pending: Pending[] = [];
    let notes: Notification[] = [];
    const c = await this.dataSource.transaction(async (manager) => {
      const c = await this.load(caller, Action.Read, id, manager);
      const side = writesInCaseThread(caller.ability, caller.principal, { ...c });
      if (!side) throw new DomainException(ErrorCode.Forbidden, 'Only the clinic and the assigned specialist write in the thread');
      if (c.status === 'closed' || c.status === 'cancelled') throw DomainException.conflict(`The case is ${c.status}; its thread is closed`, 'case_closed', { status: c.status });
      await this.postMessage(manager, caller, c, 'message', dto.body, dto.attachmentIds);
      const fromClinic = caller.ability.can(Action.Refer, subjectOf('Case', c));
      pending.push({
        to: async (m) => (fromClinic ? (c.assignedDoctorId ? [c.assignedDoctorId] : []) : await this.cases.clinicStaff(c.facilityId, m)),
        kind: 'case.message',
        params: { reference: caseReference(c.id), name: caller.principal.displayName },
        text: `${caseReference(c.id)}: new message from ${caller.principal.displayName}`,
      });
      notes = await this.flush(manager, pending, c, caller.principal.userId);
      return c;
    });
    this.notifications.publish(notes);
    return this.view(caller, c);
  }

  /**
   * A message typed in a live consultation's chat, kept in the case thread (kind `consultation_chat`). The caller
   * (the consultations module) has already checked the author is admitted to a call of this case.
   */
  async addConsultationChat(
    actor: { actorId: string; requestId: string | null; ip: string | null },
    caseId: string,
    body: string,
    sessionId: string,
  ): Promise<{ id: string; createdAt: Date }> {
    return this.dataSource.transaction(async (manager) => {
      const c = await this.cases.findById(caseId, manager);
      if (!c) throw DomainException.notFound('Case');
      const msg = await manager.getRepository(CaseMessage).save(manager.create(CaseMessage, { caseId, authorId: actor.actorId, kind: 'consultation_chat', body }));
      await this.audit.record({ ...actor, action: 'case.consultation_chat', outcome: 'success', missionId: c.missionId, subjectType: 'CaseMessage', subjectId: msg.id, details: { sessionId } }, manager);
      return { id: msg.id, createdAt: msg.createdAt };
    });
  }

  // ---- internals ------------------------------------------------------------------------------------------

  async load(caller: CallerContext, action: Action, id: string, manager?: EntityManager, lock = false): Promise<ReferralCase> {
    const c = await this.cases.findById(id, manager, lock);
    return this.access.assert(caller, action, 'Case', c, { id, missionId: c?.missionId ?? null });
  }

  /**
   * One workflow step: lock the case, check the caller may act on it and the move is legal, apply, keep the
   * transition, audit, and store the notifications (with their socket pushes, in the outbox) in the same
   * transaction: a failed notification write rolls the step back, so a retry runs it again instead of meeting 409.
   */
  private async move(
    caller: CallerContext,
    id: string,
    event: CaseEvent,
    apply: (m: EntityManager, c: ReferralCase, pending: Pending[]) => Promise<void>,
    record = true,
    note?: string,
  ): Promise<CaseView> {
    const pending: Pending[] = [];
    let notes: Notification[] = [];
    const action = REFER_EVENTS.includes(event) ? Action.Refer : Action.Consult;
    const c = await this.dataSource.transaction(async (manager) => {
      const c = await this.load(caller, action, id, manager, true);
      const from = c.status;
      const to = nextStatus(from, event);
      await apply(manager, c, pending);
      c.status = to;
      await manager.getRepository(ReferralCase).save(c);
      if (record) await this.recordTransition(manager, c, from, to, caller, note ?? null, event === 'hand_over' ? `handed over` : undefined);
      await this.audit.record({ ...actorOf(caller), action: `case.${event}`, outcome: 'success', missionId: c.missionId, subjectType: 'Case', subjectId: id, details: { from, to } }, manager);
      notes = await this.flush(manager, pending, c, caller.principal.userId);
      return c;
    });
    this.notifications.publish(notes);
    return this.view(caller, c);
  }

  private async doSubmit(manager: EntityManager, caller: CallerContext, c: ReferralCase, note: string | null, pending: Pending[]) {
    if (!c.consentGiven) throw DomainException.invalid('consentGiven', 'record the patient’s consent before submitting');
    const from = c.status;
    c.status = nextStatus(c.status, 'submit');
    c.submittedAt = this.clock.now();
    c.deadlineAt = await this.deadline(manager, c, c.submittedAt);
    await manager.getRepository(ReferralCase).save(c);
    await this.recordTransition(manager, c, from, c.status, caller, note);
    pending.push({ to: (m) => this.cases.doctorsFor(c.missionId, c.specialtyCode, false, m), kind: 'case.new_in_queue', params: { reference: caseReference(c.id), urgency: c.urgency, specialty: c.specialtyCode }, text: `${caseReference(c.id)}: new ${c.urgency} ${c.specialtyCode.replace('_', ' ')} case in your queue` });
  }

  /** The answer deadline from now, by the mission's SLA for the case's urgency. */
  async deadline(manager: EntityManager, c: ReferralCase, from: Date = this.clock.now()): Promise<Date> {
    const mission = await manager.getRepository(Mission).findOneByOrFail({ id: c.missionId });
    const minutes = { emergency: mission.slaEmergencyMinutes, urgent: mission.slaUrgentMinutes, routine: mission.slaRoutineMinutes }[c.urgency];
    return new Date(from.getTime() + minutes * 60_000);
  }

  private assertAssigned(caller: CallerContext, c: ReferralCase) {
    if (!isAssignedDoctor(caller.principal, { ...c })) {
      throw new DomainException(ErrorCode.Forbidden, 'Only the specialist who accepted the case can do this');
    }
  }

  private async checkSpecialty(manager: EntityManager, code: string) {
    const s = await manager.getRepository(Specialty).findOneBy({ code, active: true });
    if (!s) throw DomainException.invalid('specialtyCode', `unknown specialty ${code}`);
  }

  private async postMessage(manager: EntityManager, caller: CallerContext, c: ReferralCase, kind: MessageKind, body: string, attachmentIds: string[] = []) {
    const msg = await manager.getRepository(CaseMessage).save(manager.create(CaseMessage, { caseId: c.id, authorId: caller.principal.userId, kind, body }));
    if (attachmentIds.length) {
      const found = await manager.getRepository(CaseAttachment).findBy({ id: In(attachmentIds), caseId: c.id, status: 'ready', uploadedById: caller.principal.userId });
      if (found.length !== new Set(attachmentIds).size) {
        throw new DomainException(ErrorCode.NotFound, 'attachmentIds: attachment not found among your completed uploads to this case');
      }
      await manager.getRepository(CaseAttachment).update({ id: In(attachmentIds) }, { messageId: msg.id });
    }
    await this.audit.record({ ...actorOf(caller), action: `case.${kind}`, outcome: 'success', missionId: c.missionId, subjectType: 'CaseMessage', subjectId: msg.id }, manager);
  }

  private async recordTransition(manager: EntityManager, c: ReferralCase, from: string | null, to: string, caller: CallerContext, note: string | null, prefix?: string) {
    await manager.getRepository(CaseTransition).insert({
      caseId: c.id,
      fromStatus: from,
      toStatus: to,
      actorId: caller.principal.userId,
      note: prefix ? [prefix, note].filter(Boolean).join(': ') : note,
    });
  }

  /**
   * Stores the notifications of a change in its own transaction (never to the actor themselves); their socket
   * pushes go out once it commits (publish).
   */
  private async flush(manager: EntityManager, pending: Pending[], c: ReferralCase, actorId?: string): Promise<Notification[]> {
    const saved: Notification[] = [];
    for (const p of pending) {
      const to = sensitiveAudience(c, await p.to(manager)).filter((id) => id !== actorId);
      saved.push(...(await this.notifications.record(to, { kind: p.kind, code: p.code, params: p.params, caseId: c.id, text: p.text }, manager)));
    }
    return saved;
  }

}

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  AbilityFactory,
  Action,
  AppAbility,
  CERTIFICATION_DIRECTORY,
  CertificationDirectory,
  certificationsOf,
  NodeIdentity,
  Principal,
  subjectOf,
} from '@hub/access';
import { AuditService } from '@hub/audit';
import { Clock, DomainException } from '@hub/common';
import type { CaseStatus, PushResponse, SyncOperation, SyncOperationResult } from '@hub/contracts';
import { caseReference, CasesRepository } from '@hub/cases';
import { DatabasePrincipalResolver } from '@hub/identity';
import { NotificationsService } from '@hub/notifications';

type Outcome = { result: SyncOperationResult; reason?: string; submitted?: { caseId: string; missionId: string; specialty: string; urgency: string } };
type Row = Record<string, unknown>;
/** The acting user as the hub sees them, and their ability at the time of the change. */
type Rights = { principal: Principal; ability: AppAbility };

/** Clinical text a clinic owns while no specialist has taken the case (docs/field-node.md, "Conflict rules"). */
const CLINIC_TEXT = ['urgency', 'urgency_rank', 'consent_given', 'consent_note', 'presenting_complaint', 'history', 'vitals', 'examination', 'working_diagnosis', 'question', 'specialty_code'];
const CLINIC_TEXT_OPEN: CaseStatus[] = ['draft', 'submitted', 'information_requested'];
/** Status moves a clinic makes, as (from, to): submit, resubmit, close, cancel (case-workflow.ts). */
const CLINIC_MOVES: [CaseStatus[], CaseStatus][] = [
  [['draft'], 'submitted'],
  [['information_requested'], 'resubmitted'],
  [['answered'], 'closed'],
  [['draft', 'submitted', 'accepted', 'information_requested', 'resubmitted'], 'cancelled'],
];
/** Fields only the hub writes; a node's values for them are never applied. */
const HUB_OWNED = ['assigned_doctor_id', 'accepted_at', 'assessment', 'recommendation', 'evacuation_advice', 'answered_by_id', 'answered_at', 'escalation_level', 'outcome_reminder_sent_at'];
const PATIENT_FIELDS = ['first_name', 'last_name', 'date_of_birth', 'sex', 'nationality', 'contingent', 'unit', 'blood_group', 'allergies', 'chronic_conditions', 'service_number'];
const SUBJECT = { patients: 'Patient', referral_cases: 'Case', case_messages: 'CaseMessage' } as const;

/** A change the hub will not apply, with the reason the node shows. */
export class Refusal extends Error {}

/**
 * Applies operations pushed by a node, each exactly once (the sync_operations ledger), each re-checked against the
 * rights its user held on the hub when it was made, audited as offline (docs/field-node.md, "Push").
 */
@Injectable()
export class PushService {
  private readonly logger = new Logger('Sync');

  constructor(
    private readonly dataSource: DataSource,
    private readonly principals: DatabasePrincipalResolver,
    private readonly abilities: AbilityFactory,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly cases: CasesRepository,
    private readonly notifications: NotificationsService,
    @Optional() @Inject(CERTIFICATION_DIRECTORY) private readonly certifications?: CertificationDirectory,
  ) {}

  async push(node: NodeIdentity, operations: SyncOperation[]): Promise<PushResponse> {
    const results: PushResponse['results'] = [];
    for (const op of operations) {
      const { submitted, ...outcome } = await this.applyOnce(node, op);
      results.push({ opId: op.opId, ...outcome });
      if (submitted) await this.notifyQueue(submitted);
    }
    return { results };
  }

  private async applyOnce(node: NodeIdentity, op: SyncOperation): Promise<Outcome> {
    // The user's rights are read before the transaction opens: a request never holds one pool connection while it
    // waits for another (connection-watch.ts). A replayed operation pays for this read and ignores it.
    let rights: Rights | Refusal;
    try {
      rights = await this.rightsAt(node, op);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      rights = e;
    }
    return this.dataSource.transaction(async (m) => {
      const claimed = await m.query(
        `INSERT INTO sync_operations (op_id, node_id, table_name, record_id, actor_id, made_at, result)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending') ON CONFLICT (op_id) DO NOTHING RETURNING op_id`,
        [op.opId, node.nodeId, op.table, op.recordId, op.actorId, op.at],
      );
      if (!claimed.length) {
        const [prev] = await m.query('SELECT node_id, result, reason FROM sync_operations WHERE op_id = $1', [op.opId]);
        if (prev.node_id !== node.nodeId) return { result: 'refused', reason: 'opId: this operation id was already used by another node' };
        return prev.result === 'applied' ? { result: 'duplicate' } : { result: prev.result, reason: prev.reason ?? undefined };
      }
      let outcome: Outcome;
      await m.query('SAVEPOINT sync_op');
      try {
        if (op.row.id !== op.recordId) throw new Refusal('row.id must equal recordId');
        if (rights instanceof Refusal) throw rights;
        outcome = await this.apply(m, node, op, rights);
      } catch (e) {
        const reason = e instanceof Refusal ? e.message : e instanceof DomainException ? e.message : integrityReason(e);
        if (reason === null) throw e;
        await m.query('ROLLBACK TO SAVEPOINT sync_op');
        outcome = { result: 'refused', reason };
      }
      if (outcome.result !== 'applied') await this.resend(m, node, op);
      await m.query('UPDATE sync_operations SET result = $2, reason = $3 WHERE op_id = $1', [op.opId, outcome.result, outcome.reason?.slice(0, 300) ?? null]);
      await this.audit.record(
        {
          action: outcome.result === 'refused' ? 'sync.refused' : 'sync.applied',
          outcome: outcome.result === 'refused' ? 'denied' : 'success',
          actorId: op.actorId,
          missionId: node.missionId,
          subjectType: SUBJECT[op.table],
          subjectId: op.recordId,
          details: { offline: true, nodeId: node.nodeId, opId: op.opId, madeAt: op.at, result: outcome.result, ...(outcome.reason ? { reason: outcome.reason } : {}) },
        },
        m,
      );
      if (outcome.result === 'applied' && op.table === 'referral_cases' && op.row.status === 'submitted' && (await this.justSubmitted(m, op.recordId))) {
        outcome.submitted = { caseId: op.recordId, missionId: node.missionId, specialty: String(op.row.specialty_code), urgency: String(op.row.urgency) };
      }
      if (outcome.result !== 'applied') this.logger.warn(`node ${node.nodeId} op ${op.opId} (${op.table}): ${outcome.result}${outcome.reason ? `: ${outcome.reason}` : ''}`);
      return outcome;
    });
  }

  /**
   * The acting user's ability as the hub sees them now (a deactivated user is refused), with the certifications
   * that were valid when the change was made on the node (never later than now: a node's clock may run ahead).
   */
  async abilityAt(node: NodeIdentity, op: Pick<SyncOperation, 'actorId' | 'at'>): Promise<AppAbility> {
    return (await this.rightsAt(node, op)).ability;
  }

  /** The ability of `abilityAt` and the principal it was built from (to name a missing certification). */
  private async rightsAt(node: NodeIdentity, op: Pick<SyncOperation, 'actorId' | 'at'>): Promise<Rights> {
    let principal: Principal;
    try {
      principal = await this.principals.load(op.actorId, null, true);
    } catch (e) {
      throw new Refusal(e instanceof DomainException ? `actorId: ${e.message}` : 'actorId: unknown user');
    }
    if (!principal.memberships.some((mb) => mb.facilityId === node.facilityId)) {
      throw new Refusal("actorId: the user is not a member of this node's facility");
    }
    const at = new Date(Math.min(new Date(op.at).getTime(), this.clock.now().getTime()));
    // The same rule as every request (certificates everywhere, a waiver only in its mission), at the change's time.
    const valid = (await this.certifications?.valid(op.actorId, at)) ?? [];
    return { principal, ability: this.abilities.createFor({ ...principal, ...certificationsOf(valid) }) };
  }

  private async apply(m: EntityManager, node: NodeIdentity, op: SyncOperation, rights: Rights): Promise<Outcome> {
    if (op.table === 'patients') return this.applyPatient(m, node, op, rights.ability);
    if (op.table === 'referral_cases') return this.applyCase(m, node, op, rights);
    return this.applyMessage(m, node, op, rights.ability);
  }

  private async applyPatient(m: EntityManager, node: NodeIdentity, op: SyncOperation, ability: AppAbility): Promise<Outcome> {
    const row = op.row;
    if (row.mission_id !== node.missionId || row.current_facility_id !== node.facilityId) {
      throw new Refusal("patient: a node registers patients of its own facility and mission only");
    }
    const [existing] = await m.query('SELECT current_facility_id, updated_at FROM patients WHERE id = $1 FOR UPDATE', [op.recordId]);
    if (!existing) {
      if (!ability.can(Action.Create, subjectOf('Patient', { missionId: node.missionId }))) throw new Refusal('the user may not register patients');
      const [dup] = await m.query('SELECT 1 FROM patients WHERE mission_id = $1 AND service_number = $2', [node.missionId, row.service_number]);
      if (dup) throw new Refusal('serviceNumber: a patient with this service number is already registered in the mission');
      await this.insertRow(m, 'patients', { ...row, created_by_id: op.actorId });
      return { result: 'applied' };
    }
    if (!ability.can(Action.Update, subjectOf('Patient', { missionId: node.missionId }))) throw new Refusal('the user may not edit patients');
    if (existing.current_facility_id !== node.facilityId) return { result: 'conflict', reason: 'the patient was transferred to another facility on the hub; the offline edit was not applied' };
    if (new Date(existing.updated_at).getTime() > new Date(String(row.updated_at)).getTime()) {
      return { result: 'conflict', reason: 'the patient record was changed on the hub after this offline edit; the newer version was kept' };
    }
    await this.updateColumns(m, 'patients', op.recordId, row, [...PATIENT_FIELDS, 'updated_at']);
    return { result: 'applied' };
  }

  private async applyCase(m: EntityManager, node: NodeIdentity, op: SyncOperation, { ability, principal }: Rights): Promise<Outcome> {
    const row = op.row;
    if (row.mission_id !== node.missionId || row.facility_id !== node.facilityId) throw new Refusal("case: a node opens cases of its own facility only");
    const [existing] = await m.query('SELECT * FROM referral_cases WHERE id = $1 FOR UPDATE', [op.recordId]);
    const target = existing ?? row;
    const subject = subjectOf('Case', {
      id: op.recordId,
      missionId: target.mission_id,
      facilityId: target.facility_id,
      status: target.status,
      specialtyCode: target.specialty_code,
      assignedDoctorId: target.assigned_doctor_id ?? null,
      escalationLevel: target.escalation_level ?? 0,
    });
    if (!ability.can(Action.Refer, subject)) {
      const missing = this.abilities.missingCertification(principal, Action.Refer, subject);
      throw new Refusal(missing ? `the user had no valid "${missing}" certification when the change was made` : 'the user may not open or change cases of this facility');
    }
    if (!existing) {
      const status = row.status as CaseStatus;
      if (status !== 'draft' && status !== 'submitted') throw new Refusal('status: a case arrives from a node as a draft or submitted');
      const clean: Row = { ...row, requested_by_id: op.actorId, responsible_officer_id: op.actorId, outcome: null, outcome_reported_at: null, closed_at: null };
      for (const f of HUB_OWNED) clean[f] = f === 'escalation_level' ? 0 : null;
      if (status === 'submitted') clean.deadline_at = await this.deadline(m, node.missionId, String(row.urgency), new Date(String(row.submitted_at ?? op.at)));
      await this.insertRow(m, 'referral_cases', clean);
      await this.transition(m, op, null, 'draft');
      if (status === 'submitted') await this.transition(m, op, 'draft', 'submitted');
      return { result: 'applied' };
    }

    const from = existing.status as CaseStatus;
    const to = row.status as CaseStatus;
    const changes: Row = {};
    const conflicts: string[] = [];
    const textChanged = CLINIC_TEXT.filter((f) => f in row && JSON.stringify(row[f] ?? null) !== JSON.stringify(existing[f] ?? null));
    if (textChanged.length) {
      if (CLINIC_TEXT_OPEN.includes(from)) textChanged.forEach((f) => (changes[f] = row[f]));
      else conflicts.push(`Edited offline on the node after the case was ${from.replace('_', ' ')}, not applied to the case: ${textChanged.map((f) => `${f.replace(/_/g, ' ')}: ${summary(row[f])}`).join('; ')}`);
    }
    if (to !== from) {
      const move = CLINIC_MOVES.find(([froms, t]) => t === to && froms.includes(from));
      if (!move) {
        conflicts.push(`The node moved the case to "${to.replace('_', ' ')}" but on the hub it is ${from.replace('_', ' ')}; the hub's status was kept`);
      } else {
        changes.status = to;
        if (to === 'submitted') {
          changes.submitted_at = row.submitted_at ?? op.at;
          changes.deadline_at = await this.deadline(m, node.missionId, String(changes.urgency ?? existing.urgency), new Date(String(changes.submitted_at)));
        }
        if (to === 'closed') Object.assign(changes, { outcome: row.outcome, outcome_reported_at: row.outcome_reported_at ?? op.at, closed_at: row.closed_at ?? op.at });
        if (to === 'cancelled') changes.closed_at = row.closed_at ?? op.at;
      }
    }
    if (Object.keys(changes).length) {
      await this.updateColumns(m, 'referral_cases', op.recordId, { ...row, ...changes }, [...Object.keys(changes), 'updated_at'], { updated_at: new Date().toISOString() });
      if (changes.status) await this.transition(m, op, from, String(changes.status));
    }
    if (conflicts.length) {
      for (const text of conflicts) {
        await m.query(`INSERT INTO case_messages (case_id, author_id, kind, body) VALUES ($1, $2, 'system', $3)`, [op.recordId, op.actorId, text]);
      }
      return { result: 'conflict', reason: conflicts.join(' | ').slice(0, 300) };
    }
    return { result: 'applied' };
  }

  private async applyMessage(m: EntityManager, node: NodeIdentity, op: SyncOperation, ability: AppAbility): Promise<Outcome> {
    const row = op.row;
    const [c] = await m.query('SELECT * FROM referral_cases WHERE id = $1', [row.case_id]);
    if (!c || c.facility_id !== node.facilityId) throw new Refusal("caseId: the message's case is not a case of this node's facility");
    const subject = subjectOf('Case', { id: c.id, missionId: c.mission_id, facilityId: c.facility_id, status: c.status, specialtyCode: c.specialty_code, assignedDoctorId: c.assigned_doctor_id, escalationLevel: c.escalation_level });
    if (!ability.can(Action.Refer, subject)) throw new Refusal('the user may not write in this case');
    if (row.kind !== 'message' && row.kind !== 'information_response') throw new Refusal('kind: a node writes messages and answers to requests for information');
    await this.insertRow(m, 'case_messages', { ...row, author_id: op.actorId }, 'ON CONFLICT (id) DO NOTHING');
    return { result: 'applied' };
  }

  /** Inserts the columns the row carries (the table's defaults fill the others: a node may run an older schema). */
  private async insertRow(m: EntityManager, table: string, row: Row, suffix = '') {
    const known = await this.columnsOf(m, table);
    const list = Object.keys(row).filter((c) => known.has(c)).map((c) => `"${c}"`).join(', ');
    await m.query(`INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_record(NULL::${table}, $1) ${suffix}`, [row]);
  }

  private readonly columns = new Map<string, Set<string>>();
  private async columnsOf(m: EntityManager, table: string): Promise<Set<string>> {
    let known = this.columns.get(table);
    if (!known) {
      const rows: { column_name: string }[] = await m.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' AND identity_generation IS NULL",
        [table],
      );
      known = new Set(rows.map((r) => r.column_name));
      this.columns.set(table, known);
    }
    return known;
  }

  private async updateColumns(m: EntityManager, table: string, id: string, row: Row, columns: string[], override: Row = {}) {
    const known = await this.columnsOf(m, table);
    const cols = [...new Set(columns)].filter((c) => known.has(c));
    const list = cols.map((c) => `"${c}"`).join(', ');
    await m.query(
      `UPDATE ${table} t SET (${list}) = (SELECT ${list} FROM jsonb_populate_record(NULL::${table}, $2)) WHERE t.id = $1`,
      [id, { ...row, ...override }],
    );
  }

  private async transition(m: EntityManager, op: SyncOperation, from: string | null, to: string) {
    await m.query(
      `INSERT INTO case_transitions (case_id, from_status, to_status, actor_id, note, at) VALUES ($1, $2, $3, $4, 'offline, on the field node', $5)`,
      [op.recordId, from, to, op.actorId, op.at],
    );
  }

  /** Whether this transaction moved the case to submitted (a new submitted case, or a draft submitted offline). */
  private async justSubmitted(m: EntityManager, caseId: string): Promise<boolean> {
    const [t] = await m.query(
      `SELECT 1 FROM case_transitions WHERE case_id = $1 AND to_status = 'submitted' AND xmin = pg_current_xact_id()::xid LIMIT 1`,
      [caseId],
    );
    return !!t;
  }

  /** A case that arrived by sync is in the doctors' queue like one opened on the hub: tell them (after the commit). */
  private async notifyQueue(c: NonNullable<Outcome['submitted']>): Promise<void> {
    try {
      const to = await this.cases.doctorsFor(c.missionId, c.specialty, false, this.dataSource.manager);
      const reference = caseReference(c.caseId);
      const saved = await this.notifications.record(
        to,
        { kind: 'case.new_in_queue', params: { reference, urgency: c.urgency, specialty: c.specialty }, caseId: c.caseId, text: `${reference}: new ${c.urgency} ${c.specialty.replace('_', ' ')} case in your queue` },
        this.dataSource.manager,
      );
      this.notifications.publish(saved);
    } catch (e) {
      // The case is applied and acknowledged; a lost notification must not make the node resend it.
      this.logger.error({ err: e }, `could not notify the doctors of synced case ${c.caseId}`);
    }
  }

  /** The answer deadline by the hub's SLA for the mission (the node's clock gives the submission time). */
  private async deadline(m: EntityManager, missionId: string, urgency: string, from: Date): Promise<string> {
    const [mission] = await m.query('SELECT sla_emergency_minutes, sla_urgent_minutes, sla_routine_minutes FROM missions WHERE id = $1', [missionId]);
    const minutes = { emergency: mission.sla_emergency_minutes, urgent: mission.sla_urgent_minutes, routine: mission.sla_routine_minutes }[urgency] ?? mission.sla_routine_minutes;
    return new Date(from.getTime() + minutes * 60_000).toISOString();
  }

  /** After a conflict or refusal the node gets the hub's version of the record, if the hub holds one. */
  private async resend(m: EntityManager, node: NodeIdentity, op: SyncOperation) {
    await m.query(
      `INSERT INTO sync_changes (xid, scope, table_name, record_id)
       SELECT pg_current_xact_id()::text::bigint, $1, $2, $3 WHERE EXISTS (SELECT 1 FROM ${op.table} WHERE id = $4)
       ON CONFLICT (scope, xid, table_name, record_id) DO NOTHING`,
      [`facility:${node.facilityId}`, op.table, op.recordId, op.recordId],
    );
  }
}

/** A constraint or value refused by PostgreSQL (class 22/23): the record is invalid, not the hub broken. */
function integrityReason(e: unknown): string | null {
  const err = e as { code?: string; constraint?: string; column?: string };
  if (typeof err?.code !== 'string' || !/^2[23]/.test(err.code)) return null;
  return `invalid record (${err.constraint ?? err.column ?? err.code})`;
}

function summary(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'none');
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

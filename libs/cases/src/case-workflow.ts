import { CaseEvent, CaseStatus } from '@hub/contracts';
import { DomainException } from '@hub/common';

/**
 * The case workflow as data: for each event, the statuses it may start from and the status it leads to.
 *
 *   draft -submit-> submitted -accept-> accepted -answer-> answered -close-> closed
 *                                       accepted/resubmitted -request_information-> information_requested
 *                                       information_requested -resubmit-> resubmitted -answer-> answered
 *   any open status -cancel-> cancelled;  hand_over keeps the status and changes the assigned doctor
 */
export const WORKFLOW: Record<CaseEvent, { from: CaseStatus[]; to: CaseStatus | 'same' }> = {
  submit: { from: ['draft'], to: 'submitted' },
  accept: { from: ['submitted'], to: 'accepted' },
  request_information: { from: ['accepted', 'resubmitted'], to: 'information_requested' },
  resubmit: { from: ['information_requested'], to: 'resubmitted' },
  answer: { from: ['accepted', 'resubmitted'], to: 'answered' },
  close: { from: ['answered'], to: 'closed' },
  cancel: { from: ['draft', 'submitted', 'accepted', 'information_requested', 'resubmitted'], to: 'cancelled' },
  hand_over: { from: ['accepted', 'information_requested', 'resubmitted'], to: 'same' },
};

/** Statuses in which a case waits for its specialist (the SLA clock runs). */
export const AWAITING_SPECIALIST: CaseStatus[] = ['submitted', 'accepted', 'resubmitted'];
export const OPEN_STATUSES: CaseStatus[] = ['draft', 'submitted', 'accepted', 'information_requested', 'resubmitted', 'answered'];

const LABEL: Record<CaseEvent, string> = {
  submit: 'submit',
  accept: 'accept',
  request_information: 'request information on',
  resubmit: 'resubmit',
  answer: 'answer',
  close: 'close',
  cancel: 'cancel',
  hand_over: 'hand over',
};

export function canApply(status: CaseStatus, event: CaseEvent): boolean {
  return WORKFLOW[event].from.includes(status);
}

/** The status after `event`, or a 409 that says what is allowed. */
export function nextStatus(status: CaseStatus, event: CaseEvent): CaseStatus {
  const rule = WORKFLOW[event];
  if (!rule.from.includes(status)) {
    throw DomainException.conflict(
      `Cannot ${LABEL[event]} a case that is ${status.replace('_', ' ')}; only a case that is ${rule.from
        .map((s) => s.replace('_', ' '))
        .join(' or ')} can be`,
      'case_status',
      { action: event, status, allowed: rule.from.join(',') },
    );
  }
  return rule.to === 'same' ? status : rule.to;
}

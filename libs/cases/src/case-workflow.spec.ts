import { CaseEvent, CaseStatus } from '@hub/contracts';
import { canApply, nextStatus, WORKFLOW } from './case-workflow';

const ALL_STATUSES: CaseStatus[] = ['draft', 'submitted', 'accepted', 'information_requested', 'resubmitted', 'answered', 'closed', 'cancelled'];

describe('case workflow', () => {
  it('walks the whole loop, with a round of information requested', () => {
    const steps: [CaseEvent, CaseStatus][] = [
      ['submit', 'submitted'],
      ['accept', 'accepted'],
      ['request_information', 'information_requested'],
      ['resubmit', 'resubmitted'],
      ['request_information', 'information_requested'],
      ['resubmit', 'resubmitted'],
      ['answer', 'answered'],
      ['close', 'closed'],
    ];
    let status: CaseStatus = 'draft';
    for (const [event, expected] of steps) {
      status = nextStatus(status, event);
      expect(status).toBe(expected);
    }
  });

  it('answers 409 with what is allowed for an illegal move', () => {
    expect(() => nextStatus('draft', 'answer')).toThrow(
      expect.objectContaining({ statusCode: 409, message: expect.stringMatching(/Cannot answer a case that is draft; only a case that is accepted or resubmitted/) }),
    );
    expect(() => nextStatus('closed', 'cancel')).toThrow(/Cannot cancel a case that is closed/);
    expect(() => nextStatus('answered', 'accept')).toThrow(/Cannot accept/);
  });

  it('keeps closed and cancelled final', () => {
    for (const event of Object.keys(WORKFLOW) as CaseEvent[]) {
      expect(canApply('closed', event)).toBe(false);
      expect(canApply('cancelled', event)).toBe(false);
    }
  });

  it('allows exactly the table, nothing else', () => {
    let allowed = 0;
    for (const s of ALL_STATUSES) for (const e of Object.keys(WORKFLOW) as CaseEvent[]) if (canApply(s, e)) allowed++;
    expect(allowed).toBe(Object.values(WORKFLOW).reduce((n, r) => n + r.from.length, 0));
    expect(nextStatus('accepted', 'hand_over')).toBe('accepted');
  });
});

import { Injectable } from '@nestjs/common';
import { CallerContext } from '@hub/access';
import { DomainException, ErrorCode } from '@hub/common';
import type { RecordingStateView } from '@hub/contracts';
import { CallNodes } from '../cluster/call-nodes';
import { ConsultationParticipant } from '../entities/consultation-participant.entity';
import { ConsultationSession } from '../entities/consultation-session.entity';
import { RecordingsService } from '../recording/recordings.service';
import { RecordingConsentDto } from './signalling.dto';

/** An admitted participant's event, as the gateway checked it (policy `admitted`: their right to the session holds). */
export interface RecordingCaller {
  caller: CallerContext;
  session: ConsultationSession;
  participant: ConsultationParticipant;
  socketId: string;
  /** The media node holding the session's room. */
  nodeId?: string;
}

/**
 * Signalling of consented recording (`recordingConsent`), run by the gateway after its checks (rate, principal
 * reload, validation, policy). A participant gives or withdraws their OWN consent only: the consent row and its
 * audit record are written here, on the instance holding the socket; the node holding the room (CallHost, maybe on
 * another instance) then starts or stops the recording and broadcasts `recordingState` to the call.
 */
@Injectable()
export class RecordingHandlers {
  constructor(
    private readonly recordings: RecordingsService,
    private readonly calls: CallNodes,
  ) {}

  async consent(call: RecordingCaller, dto: RecordingConsentDto): Promise<RecordingStateView> {
    const { session, participant } = call;
    if (!session.caseId) {
      throw DomainException.conflict('This consultation has no case to keep a recording in, so it cannot be recorded', 'recording_unavailable');
    }
    if (!call.nodeId) throw new DomainException(ErrorCode.Conflict, 'Your media connection was reset: join again');
    await this.recordings.recordConsent(call.caller, session, participant, dto.consent);
    try {
      return await this.calls.api(call.nodeId).recording(session.id, participant.id, call.socketId, dto.consent);
    } catch (e) {
      // The node did not take it (peer reset, node gone): the consent on record must not outlive the call it was for.
      if (dto.consent) await this.recordings.lapse(session.id, participant.id, 'reset').catch(() => undefined);
      throw e;
    }
  }
}

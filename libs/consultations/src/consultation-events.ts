import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ConsultationRecordView, ParticipantView } from '@hub/contracts';

/**
 * What the use cases tell the signalling layer after a change has committed (admission or decline decided over
 * REST, a session ended). The gateway listens; the service never imports the gateway.
 */
export interface ConsultationEventMap {
  admitted: [{ sessionId: string; participant: ParticipantView }];
  declined: [{ sessionId: string; participant: ParticipantView; reason: string | null }];
  ended: [{ sessionId: string; record: ConsultationRecordView }];
}

@Injectable()
export class ConsultationEvents extends EventEmitter<ConsultationEventMap> {}

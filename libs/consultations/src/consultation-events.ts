import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ConsultationRecordView, ParticipantView } from '@hub/contracts';
import { afterCommit } from '@hub/database';

/**
 * What the use cases tell the signalling layer after a change has committed (admission or decline decided over
 * REST, a session ended). The gateway listens; the service never imports the gateway.
 */
export interface ConsultationEventMap {
  admitted: [{ sessionId: string; participant: ParticipantView }];
  declined: [{ sessionId: string; participant: ParticipantView; reason: string | null }];
  ended: [{ sessionId: string; record: ConsultationRecordView }];
}

/**
 * Listeners hear an event only once the request's change has committed: at once outside an ambient transaction (the
 * service's own transaction has committed by the time it emits), after the ambient commit of an idempotent request
 * otherwise, and never when that rolls back (libs/database afterCommit).
 */
@Injectable()
export class ConsultationEvents extends EventEmitter<ConsultationEventMap> {
  override emit<K extends keyof ConsultationEventMap>(event: K, ...args: ConsultationEventMap[K]): boolean {
    const listening = this.listenerCount(event) > 0;
    afterCommit(() => {
      (super.emit as (e: K, ...a: ConsultationEventMap[K]) => boolean).call(this, event, ...args);
    });
    return listening;
  }
}

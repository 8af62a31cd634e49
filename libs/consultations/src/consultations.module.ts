import { Module } from '@nestjs/common';
import { CasesModule } from '@hub/cases';
import { IdentityModule } from '@hub/identity';
import { MediaModule } from '@hub/media';
import { NotificationsModule } from '@hub/notifications';
import { CallHost } from './cluster/call-host';
import { CallNodes } from './cluster/call-nodes';
import { MediaNodeRegistry } from './cluster/media-node-registry';
import { ConsultationEvents } from './consultation-events';
import { ConsultationsController } from './consultations.controller';
import { ConsultationsRepository } from './consultations.repository';
import { ConsultationsService } from './consultations.service';
import { RecordingsService } from './recording/recordings.service';
import { ConsultationsGateway } from './signalling/consultations.gateway';
import { RecordingHandlers } from './signalling/recording.handlers';

/**
 * Live consultations: sessions, waiting room, invitations, TURN credentials, session records, signalling, and
 * consented recording (docs/consultations.md), and where each call's media lives when several hub instances run (media-node registry, placement, call port).
 */
@Module({
  imports: [CasesModule, IdentityModule, MediaModule, NotificationsModule],
  controllers: [ConsultationsController],
  providers: [ConsultationsService, ConsultationsRepository, ConsultationEvents, ConsultationsGateway, MediaNodeRegistry, CallHost, CallNodes, RecordingsService, RecordingHandlers],
  exports: [ConsultationsService, MediaNodeRegistry, CallNodes, RecordingsService],
})
export class ConsultationsModule {}

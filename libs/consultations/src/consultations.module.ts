import { Module } from '@nestjs/common';
import { CasesModule } from '@hub/cases';
import { IdentityModule } from '@hub/identity';
import { MediaModule } from '@hub/media';
import { NotificationsModule } from '@hub/notifications';
import { ConsultationEvents } from './consultation-events';
import { ConsultationsController } from './consultations.controller';
import { ConsultationsService } from './consultations.service';
import { ConsultationsGateway } from './signalling/consultations.gateway';

/** Live consultations: sessions, waiting room, invitations, TURN credentials, session records, signalling. */
@Module({
  imports: [CasesModule, IdentityModule, MediaModule, NotificationsModule],
  controllers: [ConsultationsController],
  providers: [ConsultationsService, ConsultationEvents, ConsultationsGateway],
  exports: [ConsultationsService],
})
export class ConsultationsModule {}

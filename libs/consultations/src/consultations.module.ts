import { Module } from '@nestjs/common';
import { CasesModule } from '@hub/cases';
import { ConsultationEvents } from './consultation-events';
import { ConsultationsController } from './consultations.controller';
import { ConsultationsService } from './consultations.service';

/** Live consultations: sessions, waiting room, invitations, TURN credentials, session records, signalling. */
@Module({
  imports: [CasesModule],
  controllers: [ConsultationsController],
  providers: [ConsultationsService, ConsultationEvents],
  exports: [ConsultationsService],
})
export class ConsultationsModule {}

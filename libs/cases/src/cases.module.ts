import { Module } from '@nestjs/common';
import { NotificationsModule } from '@hub/notifications';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentsService } from './attachments.service';
import { BreakGlassController } from './break-glass.controller';
import { BreakGlassService } from './break-glass.service';
import { CasesController } from './cases.controller';
import { CasesRepository } from './cases.repository';
import { CasesService } from './cases.service';
import { FollowUpController } from './follow-up.controller';
import { FollowUpService } from './follow-up.service';
import { PatientsController } from './patients.controller';
import { PatientsRepository } from './patients.repository';
import { PatientsService } from './patients.service';
import { SlaService } from './sla.service';
import { UploadsController } from './uploads.controller';

@Module({
  imports: [NotificationsModule],
  controllers: [PatientsController, CasesController, BreakGlassController, FollowUpController, UploadsController],
  providers: [PatientsRepository, PatientsService, CasesRepository, CasesService, AttachmentsRepository, AttachmentsService, SlaService, FollowUpService, BreakGlassService],
  exports: [CasesService, SlaService, FollowUpService, AttachmentsService, CasesRepository],
})
export class CasesModule {}

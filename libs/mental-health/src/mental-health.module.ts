import { Module } from '@nestjs/common';
import { CasesModule } from '@hub/cases';
import { ConsultationsModule } from '@hub/consultations';
import { NotificationsModule } from '@hub/notifications';
import { MentalHealthController } from './mental-health.controller';
import { MentalHealthService } from './mental-health.service';

/** Mental-health sessions: clinicians' slots, bookings (sensitive cases), reminders, iCalendar files. */
@Module({
  imports: [CasesModule, ConsultationsModule, NotificationsModule],
  controllers: [MentalHealthController],
  providers: [MentalHealthService],
  exports: [MentalHealthService],
})
export class MentalHealthModule {}

import { Module } from '@nestjs/common';
import { NotificationsModule } from '@hub/notifications';
import { DashboardRepository } from './dashboard.repository';
import { FieldNodeHealthRepository } from './field-node-health.repository';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';

@Module({
  imports: [NotificationsModule],
  controllers: [MonitoringController],
  providers: [DashboardRepository, FieldNodeHealthRepository, MonitoringService],
  exports: [MonitoringService],
})
export class MonitoringModule {}

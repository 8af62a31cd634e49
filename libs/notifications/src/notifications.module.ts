import { Module } from '@nestjs/common';
import { IdentityModule } from '@hub/identity';
import { NotificationsController } from './notifications.controller';
import { NotificationsGateway } from './notifications.gateway';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { SocketPushes } from './socket-pushes';

@Module({
  imports: [IdentityModule],
  controllers: [NotificationsController],
  providers: [NotificationsGateway, NotificationsService, NotificationsRepository, SocketPushes],
  exports: [NotificationsService, SocketPushes],
})
export class NotificationsModule {}

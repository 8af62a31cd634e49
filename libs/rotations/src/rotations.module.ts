import { Module } from '@nestjs/common';
import { IdentityModule } from '@hub/identity';
import { NotificationsModule } from '@hub/notifications';
import { HandOverService } from './hand-over.service';
import { RotationEndService } from './rotation-end.service';
import { RotationImportService } from './rotation-import.service';
import { RotationsController } from './rotations.controller';

/** Rotations: membership end dates take effect, hand-over of an outgoing officer's cases, import of an incoming rotation. */
@Module({
  imports: [NotificationsModule, IdentityModule],
  controllers: [RotationsController],
  providers: [HandOverService, RotationImportService, RotationEndService],
  exports: [RotationEndService],
})
export class RotationsModule {}

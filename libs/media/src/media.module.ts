import { Module } from '@nestjs/common';
import { MediaService } from './media.service';

/**
 * Live media (mediasoup SFU). Import it where rooms are needed; MediaService is a single instance per app.
 * Needs the global ConfigModule (APP_CONFIG.media).
 */
@Module({ providers: [MediaService], exports: [MediaService] })
export class MediaModule {}

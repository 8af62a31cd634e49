import { Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';
import { DenialRecorder } from './denial-recorder';
import { RecordAccess } from './record-access';
import { RateLimits } from './rate-limits';
import { SessionEvents } from './session-events';

@Global()
@Module({ providers: [AbilityFactory, RecordAccess, DenialRecorder, SessionEvents, RateLimits], exports: [AbilityFactory, RecordAccess, DenialRecorder, SessionEvents, RateLimits] })
export class AccessModule {}

import { Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';
import { DenialRecorder } from './denial-recorder';
import { RecordAccess } from './record-access';

@Global()
@Module({ providers: [AbilityFactory, RecordAccess, DenialRecorder], exports: [AbilityFactory, RecordAccess, DenialRecorder] })
export class AccessModule {}

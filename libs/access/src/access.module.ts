import { Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';
import { RecordAccess } from './record-access';

@Global()
@Module({ providers: [AbilityFactory, RecordAccess], exports: [AbilityFactory, RecordAccess] })
export class AccessModule {}

import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PRINCIPAL_RESOLVER } from '@hub/access';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { FacilitiesController } from './facilities.controller';
import { FacilitiesRepository } from './facilities.repository';
import { FacilitiesService } from './facilities.service';
import { MissionsController } from './missions.controller';
import { MissionsRepository } from './missions.repository';
import { MissionsService } from './missions.service';
import { PasswordService } from './password.service';
import { PrincipalCache } from './principal-cache';
import { DatabasePrincipalResolver } from './principal.resolver';
import { TokenService } from './token.service';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ secret: config.jwtSecret, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, MissionsController, FacilitiesController, UsersController],
  providers: [
    AuthService,
    PasswordService,
    TokenService,
    DatabasePrincipalResolver,
    PrincipalCache,
    { provide: PRINCIPAL_RESOLVER, useExisting: DatabasePrincipalResolver },
    MissionsRepository,
    MissionsService,
    FacilitiesRepository,
    FacilitiesService,
    UsersRepository,
    UsersService,
  ],
  exports: [PRINCIPAL_RESOLVER, DatabasePrincipalResolver, PrincipalCache, PasswordService, AuthService],
})
export class IdentityModule {}

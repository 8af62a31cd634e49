import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AccessGuard, AccessModule, USER_CONCURRENCY_LIMIT } from '@hub/access';
import { AuditModule } from '@hub/audit';
import { ClockModule, HubJobsModule, REDACT_PATHS } from '@hub/common';
import { AppConfig, ConfigModule } from '@hub/config';
import { DatabaseModule } from '@hub/database';
import { CasesModule } from '@hub/cases';
import { ConsultationsModule } from '@hub/consultations';
import { IdempotencyModule } from '@hub/idempotency';
import { IdentityModule } from '@hub/identity';
import { MonitoringModule } from '@hub/monitoring';
import { RotationsModule } from '@hub/rotations';
import { TrainingModule } from '@hub/training';
import { MediaModule } from '@hub/media';
import { SyncModule } from '@hub/sync';
import { MentalHealthModule } from '@hub/mental-health';
import { AuditController } from './audit.controller';
import { HealthController } from './health.controller';
import { MetricsModule } from './metrics/metrics.module';
import { BackupScheduler } from './lifecycle/backup-scheduler';
import { ShutdownGate } from './lifecycle/shutdown-gate';

@Module({})
export class AppModule {
  /** `extra`: modules an app built on the hub adds (the field node's sync status, apps/field-node). */
  static forRoot(config: AppConfig, dataSource: DataSource, extra: (Type | DynamicModule)[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(dataSource),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            genReqId: (req, res) => {
              const incoming = req.headers['x-request-id'];
              const id = typeof incoming === 'string' && /^[\w-]{8,80}$/.test(incoming) ? incoming : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            autoLogging: { ignore: (req) => req.url?.startsWith('/api/health') ?? false },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url?.split('?')[0],
              }),
            },
            transport:
              config.env === 'development' && process.stdout.isTTY
                ? { target: 'pino-pretty', options: { singleLine: true } }
                : undefined,
          },
        }),
        DiscoveryModule,
        ClockModule,
        HubJobsModule.forRoot(config.hubJobs),
        AuditModule,
        AccessModule,
        IdentityModule,
        CasesModule,
        MonitoringModule,
        TrainingModule,
        MediaModule,
        ConsultationsModule,
        IdempotencyModule,
        SyncModule,
        RotationsModule,
        MentalHealthModule,
        MetricsModule,
        ...extra,
      ],
      controllers: [HealthController, AuditController],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: USER_CONCURRENCY_LIMIT, useValue: config.userMaxConcurrentRequests },
        ShutdownGate,
        BackupScheduler,
      ],
    };
  }
}

import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Policy } from '@hub/access';
import { DomainException, ErrorCode } from '@hub/common';
import { APP_CONFIG, AppConfig } from '@hub/config';
import { MetricsService } from './metrics.service';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /api/metrics in Prometheus' text format. Never public: off (404, as if absent) unless METRICS_TOKEN is set,
 * and then only with `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). The token is not a user's: no
 * user session is involved, so the route is declared public to the user guard and checks its own token.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Policy.public()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response) {
    const token = this.config.metricsToken;
    if (!token) throw new DomainException(ErrorCode.NotFound, 'Not found');
    const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(given), digest(token))) {
      throw new DomainException(ErrorCode.Unauthenticated, 'Authorization: give the metrics bearer token');
    }
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(await this.metrics.registry.metrics());
  }
}

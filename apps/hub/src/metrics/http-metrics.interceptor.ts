import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { MetricsService } from './metrics.service';

/**
 * Times every HTTP request handled by a controller, labelled by its route pattern (`/api/cases/:id`, never the
 * URL with ids) and the status sent, when the response finishes (errors included).
 */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const started = process.hrtime.bigint();
    const route = `${req.baseUrl ?? ''}${(req.route as { path?: string } | undefined)?.path ?? ''}` || 'unmatched';
    res.once('finish', () => this.metrics.observe(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    return next.handle();
  }
}

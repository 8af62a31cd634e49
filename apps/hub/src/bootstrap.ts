import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger as PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AllExceptionsFilter, createValidationPipe } from '@hub/common';
import { AppConfig } from '@hub/config';
import { createDataSource, EmbeddedDatabase, startEmbeddedPostgres } from '@hub/database';
import { AppModule } from './app.module';
import { ENTITIES, MIGRATIONS } from './schema';

export interface OpenDatabase {
  dataSource: DataSource;
  embedded?: EmbeddedDatabase;
  url: string;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL kept in HUB_DATA_DIR. */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  let embedded: EmbeddedDatabase | undefined;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, { port: config.embeddedPgPort });
    url = embedded.url;
  }
  const dataSource = createDataSource({ url, entities: ENTITIES, migrations: MIGRATIONS });
  await dataSource.initialize();
  return { dataSource, embedded, url };
}

/** Without JWT_SECRET (outside production) a secret is generated once and kept in the data directory. */
export function resolveSecrets(config: AppConfig): AppConfig {
  if (config.jwtSecret) return config;
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
  return { ...config, jwtSecret: readFileSync(file, 'utf8').trim() };
}

/** Creates the Nest application with everything the HTTP edge needs; the caller listens. */
export async function createHubApp(config: AppConfig, dataSource: DataSource): Promise<INestApplication> {
  // The adapter is passed explicitly rather than loaded by name at run time.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource), new ExpressAdapter(), {
    bufferLogs: true,
    abortOnError: false, // throw instead of exiting, so the caller (main, CLI, tests) decides
    bodyParser: false, // JSON only, with the limit below; tus uploads stream their bodies untouched
  });
  app.useLogger(app.get(PinoLogger));
  app.useWebSocketAdapter(new IoAdapter(app));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.enableCors({
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    credentials: false,
    exposedHeaders: ['X-Request-Id'],
  });
  app.use(express.json({ limit: '1mb' }));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

  const openApi = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Field Telemedicine Hub API')
      .setDescription('REST API of the field-mission telemedicine hub. Every route declares its access policy.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, openApi, { jsonDocumentUrl: 'api/docs-json' });

  serveWebApp(app, config.webDistDir);
  return app;
}

/**
 * Serves the built browser app, with index.html for client-side routes. Files are sent precompressed (the `.br` or
 * `.gz` written beside each at build, by what the browser accepts). Hashed names under /assets/ never change, so they
 * are cached for a year; index.html, the service worker and the web manifest are revalidated on every load, so a
 * new build reaches the clinics at their next visit.
 */
function serveWebApp(app: NestExpressApplication, dir: string) {
  const index = join(dir, 'index.html');
  const files = expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ['br', 'gz'],
    index: false,
    serveStatic: {
      index: false,
      setHeaders: (res: { setHeader(name: string, value: string): unknown }, path: string) => res.setHeader('Cache-Control', webCacheControl(path)),
    },
  });
  const forApi = (req: express.Request) => req.path.startsWith('/api') || req.path.startsWith('/socket.io');
  // API requests never touch the file system (nor can a file shadow an API route).
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => (forApi(req) ? next() : files(req, res, next)));
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || forApi(req)) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The web app is not built; run `npm run build:web`.');
      return;
    }
    // A client-side route: the app's index.html, compressed like the other files.
    req.url = '/index.html';
    files(req, res, next);
  });
}

/** Cache lifetime of a file of the web app, by its path relative to the build directory. */
export function webCacheControl(path: string): string {
  // The precompressed copy (name.br, name.gz) is cached like the file itself.
  const name = path.replace(/\\/g, '/').replace(/\.(br|gz)$/, '');
  // Vite puts only content-hashed names under assets/.
  if (name.includes('/assets/')) return 'public, max-age=31536000, immutable';
  if (/\/(index\.html|sw\.js|manifest\.webmanifest)$/.test(name) || /\/workbox-[^/]+\.js$/.test(name)) return 'no-cache';
  return 'public, max-age=3600';
}

export const bootLogger = new Logger('Hub');

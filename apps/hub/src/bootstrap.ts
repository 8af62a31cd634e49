import { DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger as PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { DenialRecorder, refusalContextOf } from '@hub/access';
import { AllExceptionsFilter, createValidationPipe } from '@hub/common';
import { AppConfig } from '@hub/config';
import { createDataSource, EmbeddedDatabase, migrateAsAdmin, runWork, startEmbeddedPostgres, watchNestedConnections } from '@hub/database';
import { AppModule } from './app.module';
import { ClusterIoAdapter } from './cluster/cluster-io-adapter';
import { rejectUnstorableText, verifyJsonDepth } from './http/json-guard';
import { ShutdownGate } from './lifecycle/shutdown-gate';
import { ENTITIES, MIGRATIONS } from './schema';

export interface OpenDatabase {
  dataSource: DataSource;
  embedded?: EmbeddedDatabase;
  url: string;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL kept in HUB_DATA_DIR. The hub (`role: 'hub'`) owns
 * the embedded server, restarts it if it dies and refuses a data directory another live hub uses; the CLI
 * (`role: 'cli'`) joins the server of a running hub instead of failing.
 */
export async function openDatabase(config: AppConfig, role: 'hub' | 'cli' | 'restore' = 'hub'): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  let embedded: EmbeddedDatabase | undefined;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, {
      port: config.embeddedPgPort,
      whenRunningElsewhere: role === 'cli' ? 'join' : 'refuse',
      restartOnCrash: role === 'hub',
      notice: (line) => (/unexpectedly|failed|stale|left running/.test(line) ? bootLogger.warn(line) : bootLogger.log(line)),
    });
    url = embedded.url;
  }
  const dataSource = createDataSource({
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
  });
  await dataSource.initialize();
  return { dataSource, embedded, url };
}

/**
 * Applies pending migrations. On the embedded database they run as its superuser, which then hands every object to
 * the ordinary role the hub connects as (`hub_app`, libs/database/src/app-role.ts): the hub itself never holds a
 * superuser connection, so it cannot rewrite the audit trail. With DATABASE_URL they run as that URL's role.
 */
export async function migrate(db: OpenDatabase): Promise<string[]> {
  if (db.embedded) return migrateAsAdmin(db.embedded.adminUrl, MIGRATIONS);
  return (await db.dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
}

/** Without JWT_SECRET (outside production) a secret is generated once and kept in the data directory. */
export function resolveSecrets(config: AppConfig): AppConfig {
  const generated = (name: string) => {
    mkdirSync(config.dataDir, { recursive: true });
    const file = join(config.dataDir, name);
    if (!existsSync(file)) writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600 });
    return readFileSync(file, 'utf8').trim();
  };
  return {
    ...config,
    jwtSecret: config.jwtSecret ?? generated('jwt-secret'),
    // Encrypts TOTP secrets at rest: kept beside, never inside, the database (back it up with the data directory).
    totpEncryptionKey: config.totpEncryptionKey ?? generated('totp-key'),
  };
}

/** Creates the Nest application with everything the HTTP edge needs; the caller listens. */
export async function createHubApp(config: AppConfig, dataSource: DataSource, extra: (Type | DynamicModule)[] = []): Promise<INestApplication> {
  // The adapter is passed explicitly rather than loaded by name at run time.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource, extra), new ExpressAdapter(), {
    bufferLogs: true,
    abortOnError: false, // throw instead of exiting, so the caller (main, CLI, tests) decides
    bodyParser: false, // JSON only, with the limit below; tus uploads stream their bodies untouched
  });
  app.useLogger(app.get(PinoLogger));
  // First of all: during a graceful shutdown new requests answer 503 before anything else runs.
  app.use(app.get(ShutdownGate).middleware);
  // Each request runs in its own context, so taking a second pool connection while holding a transaction is seen.
  watchNestedConnections(dataSource);
  app.use((_req: express.Request, _res: express.Response, next: express.NextFunction) => runWork(next));
  // A push from any instance reaches a socket on any other (PostgreSQL LISTEN/NOTIFY, or Redis with REDIS_URL).
  app.useWebSocketAdapter(new ClusterIoAdapter(app, { databaseUrl: String((dataSource.options as { url?: string }).url), redisUrl: config.cluster.redisUrl }));
  // Whose X-Forwarded-For to believe (TRUST_PROXY): nobody's by default, so a client cannot pick its own address
  // and slip past the per-address limits.
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:'],
          // 'self' covers same-origin ws:/wss: in current browsers; no socket to any other host.
          connectSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          // index.html's own inline script (the plain sign-in form), allowed by its hash; no other inline script.
          scriptSrc: ["'self'", ...inlineScriptHashes(config.webDistDir)],
        },
      },
      crossOriginEmbedderPolicy: false,
  });
  // A script, stylesheet or font under /assets/ is never a document: a policy for documents (CSP, framing, HSTS,
  // referrer) means nothing on it, and on a 256 kbit/s link each response's kilobyte of such headers costs as much
  // as a small screen's code. Those files get only what applies to them (bootstrap.ts serveWebApp).
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => (isAsset(req) ? next() : securityHeaders(req, res, next)));
  app.enableCors({
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    credentials: false,
    exposedHeaders: ['X-Request-Id'],
  });
  // Size and depth are limited before parsing; text PostgreSQL cannot store is refused naming its field.
  app.use(express.json({ limit: '1mb', verify: verifyJsonDepth }));
  app.use(rejectUnstorableText);
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  const denials = app.get(DenialRecorder);
  app.useGlobalFilters(
    new AllExceptionsFilter(async (e, req) => {
      const who = refusalContextOf(req as Parameters<typeof refusalContextOf>[0], e);
      if (who) await denials.record(e, who);
    }),
  );
  // No enableShutdownHooks(): main.ts owns SIGTERM/SIGINT (drain, then close), and Nest's own handler would close
  // the modules under in-flight requests and re-raise the signal (exit 143).

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
  type Res = { setHeader(name: string, value: string): unknown };
  const files = expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ['br', 'gz'],
    index: false,
    serveStatic: { index: false, setHeaders: (res: Res, path: string) => res.setHeader('Cache-Control', webCacheControl(path)) },
  });
  // Content-hashed files: cached for a year and never revalidated, so no ETag or Last-Modified; the only security
  // headers that apply to a script or stylesheet (the others are set on everything else by helmet).
  const assets = expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ['br', 'gz'],
    index: false,
    serveStatic: {
      index: false,
      etag: false,
      lastModified: false,
      acceptRanges: false,
      setHeaders: (res: Res, path: string) => {
        res.setHeader('Cache-Control', webCacheControl(path));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      },
    },
  });
  const forApi = (req: express.Request) => req.path.startsWith('/api') || req.path.startsWith('/socket.io');
  // API requests never touch the file system (nor can a file shadow an API route).
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (forApi(req)) return next();
    return isAsset(req) ? assets(req, res, next) : files(req, res, next);
  });
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || forApi(req)) return next();
    // A hashed file that is not there (an old build's): not the app's page in its place, which would be served
    // without the document headers above.
    if (isAsset(req)) {
      res.status(404).type('text/plain').send('No such file in this build of the web app.');
      return;
    }
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The web app is not built; run `npm run build:web`.');
      return;
    }
    // A client-side route: the app's index.html, compressed like the other files.
    req.url = '/index.html';
    files(req, res, next);
  });
}

/**
 * The CSP hashes ('sha256-…') of the inline scripts of the built index.html (the sign-in form that works before the
 * app's bundles arrive, apps/web/boot/sign-in.js). Read at start; a build made while the hub runs needs a restart.
 */
export function inlineScriptHashes(dir: string): string[] {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return [];
  const html = readFileSync(index, 'utf8');
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

/** A request for one of the web app's content-hashed files (scripts, stylesheets). */
const isAsset = (req: express.Request) => req.method === 'GET' && req.path.startsWith('/assets/');

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

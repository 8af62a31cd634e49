import 'reflect-metadata';
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from '@hub/config';
import { PasswordService } from '@hub/identity';
import { bootLogger, createHubApp, migrate, openDatabase, OpenDatabase, resolveSecrets } from './bootstrap';
import { ShutdownGate } from './lifecycle/shutdown-gate';
import { DEMO_PASSWORD, seedDemo } from './seed/demo-seed';

/** Set once the database is open, so that every exit path (failed start included) closes it. */
let db: OpenDatabase | undefined;

async function closeDatabase() {
  await db?.dataSource.destroy().catch(() => undefined);
  await db?.embedded?.stop();
}

async function main() {
  let config;
  try {
    config = resolveSecrets(loadConfig());
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  bootLogger.log(config.databaseUrl ? 'Using DATABASE_URL' : `Starting embedded PostgreSQL in ${config.dataDir}`);
  db = await openDatabase(config, 'hub');
  const applied = await migrate(db);
  if (applied.length) bootLogger.log(`Applied ${applied.length} migration(s)`);

  const app = await createHubApp(config, db.dataSource);
  const demo = config.seedDemo ? await seedDemo(db.dataSource, app.get(PasswordService)) : null;

  const gate = app.get(ShutdownGate);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    // New requests answer 503 with Retry-After; the ones already admitted finish (within the grace period); then
    // HTTP, sockets and workers close, then the pool, then the embedded database.
    gate.close();
    bootLogger.log(`${signal} received: closing (${gate.active} request(s) in flight, up to ${config.shutdownGraceMs / 1000} s to finish)`);
    const hardStop = setTimeout(() => {
      bootLogger.error('shutdown did not complete in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 30_000);
    hardStop.unref();
    const drained = await gate.idle(config.shutdownGraceMs);
    if (!drained) bootLogger.warn(`grace period over with ${gate.active} request(s) still running; closing them`);
    const server = app.getHttpServer() as Server;
    server.closeIdleConnections?.();
    if (!drained) server.closeAllConnections?.();
    await app.close();
    await closeDatabase();
    bootLogger.log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen(config.port, config.host ?? '0.0.0.0');
  const url = `http://localhost:${config.port}`;
  const lines = [`Field Telemedicine Hub is running on ${url} (API ${url}/api, docs ${url}/api/docs)`];
  if (demo) {
    lines.push('', `Demo data created. Every demo user's password: ${DEMO_PASSWORD}`);
    for (const d of demo) lines.push(`  ${d.email.padEnd(24)} ${d.role.padEnd(22)} ${d.where}`);
    lines.push('Administrators enrol an authenticator app (TOTP) at their first sign-in.');
  } else if (config.seedDemo) {
    lines.push(`Demo users (if this database was seeded by the hub): password ${DEMO_PASSWORD}, e.g. officer@minusca.demo, doctor@minusca.demo, sysadmin@hub.demo`);
  }
  console.log(lines.join('\n'));
}

main().catch(async (e) => {
  // A real sentence, never `undefined`: the message of what failed (the stack with LOG_LEVEL=debug).
  console.error(`The hub could not start: ${e instanceof Error ? e.message : String(e)}`);
  if (e instanceof Error && process.env.LOG_LEVEL === 'debug') console.error(e.stack);
  await closeDatabase().catch(() => undefined);
  process.exit(1);
});

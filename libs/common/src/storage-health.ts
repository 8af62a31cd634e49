import { randomBytes } from 'node:crypto';
import { open, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export type StorageComponent = 'files' | 'database';
export type StorageState = 'ok' | 'full' | 'read-only';

/** Errors of a write that say the disk is full or cannot be written. */
export function storageStateOf(error: unknown): StorageState | undefined {
  const code = (error as { code?: string })?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code === 'EROFS' || code === 'EIO' || code === 'EACCES' || code === 'EPERM') return 'read-only';
  return undefined;
}

/**
 * What this process knows of its disks: the file store's and PostgreSQL's. Failed writes report here (from the
 * exception filter and the upload store); readiness probes the disks again, so a freed disk is ready again at the
 * next probe. Readiness and the health managers' alerts read it.
 */
export class StorageHealth {
  private readonly states = new Map<StorageComponent, { state: StorageState; since: Date }>();
  /** Failures seen in the last day, kept for the managers' alerts even once the disk took writes again. */
  private readonly recent = new Map<string, { component: StorageComponent; state: StorageState; since: Date }>();

  report(component: StorageComponent, state: StorageState): void {
    if (state === 'ok') {
      this.states.delete(component);
      return;
    }
    if (this.states.get(component)?.state !== state) this.states.set(component, { state, since: new Date() });
    this.recent.set(`${component}:${state}`, { component, state, since: new Date() });
  }

  /** Current problems, and those of the last 24 hours (for alerts). */
  recentProblems(now = new Date()): { component: StorageComponent; state: StorageState; since: Date }[] {
    for (const [k, v] of this.recent) if (now.getTime() - v.since.getTime() > 24 * 3600_000) this.recent.delete(k);
    return [...this.recent.values()];
  }

  /** Forgets everything (tests). */
  reset(): void {
    this.states.clear();
    this.recent.clear();
  }

  state(component: StorageComponent): StorageState {
    return this.states.get(component)?.state ?? 'ok';
  }

  /** Components that are not ok, with their state. */
  problems(): { component: StorageComponent; state: StorageState; since: Date }[] {
    return [...this.states.entries()].map(([component, s]) => ({ component, ...s }));
  }

  /** Writes, syncs and removes a small probe file: the honest test of "can this directory take a file now". */
  async probeDirectory(component: StorageComponent, dir: string, minFreeBytes = 64 * 1024): Promise<StorageState> {
    const file = join(dir, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    let state: StorageState = 'ok';
    try {
      const fh = await open(file, 'w');
      try {
        await fh.write(Buffer.alloc(4096));
        await fh.sync();
      } finally {
        await fh.close();
      }
      const fs = await statfs(dir);
      if (fs.bavail * fs.bsize < minFreeBytes) state = 'full';
    } catch (e) {
      state = storageStateOf(e) ?? 'read-only';
    } finally {
      await unlink(file).catch(() => undefined);
    }
    this.report(component, state);
    return state;
  }

  /** Free space only (for a directory the hub may not write into, e.g. PostgreSQL's own). */
  async probeFreeSpace(component: StorageComponent, dir: string, minFreeBytes: number): Promise<StorageState> {
    try {
      const fs = await statfs(dir);
      const state: StorageState = fs.bavail * fs.bsize < minFreeBytes ? 'full' : 'ok';
      // a full disk clears when space is back; a read-only report (from a failed write) stays until a write succeeds
      if (state === 'full' || this.state(component) === 'full') this.report(component, state);
      return this.state(component);
    } catch {
      return this.state(component);
    }
  }
}

/** One per process: the disks are the machine's. */
export const storageHealth = new StorageHealth();

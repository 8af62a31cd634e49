import { accessSync, constants } from 'node:fs';
import { homedir, machine, platform } from 'node:os';
import { dirname, join } from 'node:path';

/** Where a worker binary was found, or why none was. */
export interface WorkerBinaryLookup {
  path?: string;
  /** Every place looked at, in order (for the error message). */
  tried: string[];
  version: string;
}

/** The mediasoup version installed in node_modules (read without loading mediasoup). */
export function mediasoupVersion(): string {
  return (require('mediasoup/package.json') as { version: string }).version;
}

/**
 * The cache directory scripts/mediasoup-worker.sh fills (npm postinstall): outside the clone, keyed by version
 * and platform, e.g. ~/.cache/field-telemed/mediasoup-worker/3.12.16-linux-x86_64/mediasoup-worker.
 */
export function cachedWorkerPath(env: NodeJS.ProcessEnv = process.env, version = mediasoupVersion()): string {
  const root =
    env.MEDIASOUP_WORKER_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'field-telemed', 'mediasoup-worker');
  return join(root, `${version}-${platform()}-${machine()}`, 'mediasoup-worker');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the mediasoup worker binary, in this order:
 * 1. `explicit` (MEDIASOUP_WORKER_BIN from the validated config);
 * 2. the cache filled by `npm install` (scripts/mediasoup-worker.sh);
 * 3. mediasoup's own location, node_modules/mediasoup/worker/out/Release/mediasoup-worker (if a site enabled
 *    mediasoup's postinstall, which downloads the official prebuilt worker).
 */
export function findWorkerBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env): WorkerBinaryLookup {
  const version = mediasoupVersion();
  const candidates = [
    ...(explicit ? [explicit] : []),
    cachedWorkerPath(env, version),
    join(dirname(require.resolve('mediasoup/package.json')), 'worker', 'out', 'Release', 'mediasoup-worker'),
  ];
  for (const candidate of candidates) {
    if (executable(candidate)) return { path: candidate, tried: candidates, version };
  }
  return { tried: candidates, version };
}

type MediasoupModule = typeof import('mediasoup');
let loaded: { module: MediasoupModule; bin: string } | undefined;

/**
 * Loads mediasoup with the given worker binary. mediasoup reads MEDIASOUP_WORKER_BIN once, when its Worker
 * module loads, so the variable is set before the first require (and the module's exported path is updated
 * too, in case something else loaded mediasoup first). This is the only place the hub requires 'mediasoup'.
 */
export function loadMediasoup(bin: string): MediasoupModule {
  if (loaded?.bin === bin) return loaded.module;
  process.env.MEDIASOUP_WORKER_BIN = bin;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require('mediasoup') as MediasoupModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const workerModule = require('mediasoup/node/lib/Worker') as { workerBin: string };
  workerModule.workerBin = bin;
  loaded = { module, bin };
  return module;
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, QueryRunner } from 'typeorm';

/**
 * An ambient transaction: while `runInAmbientTransaction` runs a function, every query the DataSource makes for
 * it — `dataSource.transaction(...)` (as a savepoint), repositories, `dataSource.query(...)` — runs on one
 * connection inside one outer transaction, which the caller commits. Services keep their own code; whoever opens
 * the ambient transaction (the idempotency interceptor) can add its own rows to the same commit, so they are stored
 * together or not at all, across a crash too.
 *
 * Inner transactions keep their meaning: each is a savepoint, rolled back alone when it fails and kept when it
 * succeeds, exactly as if it had committed on its own (the outer transaction is committed after an error too).
 * What asks for a connection while such an inner transaction is open gets a connection of its own, as without the
 * ambient transaction (audit records of refusals outlive the rollback of the service's transaction).
 */
const ambient = new AsyncLocalStorage<QueryRunner>();
/** What waits for the ambient transaction's commit (socket pushes of what it wrote), per ambient runner. */
const waitingForCommit = new WeakMap<QueryRunner, (() => void)[]>();
const INSTALLED = Symbol('ambientTransactions');

/** Makes the DataSource honour ambient transactions (idempotent; called when the hub's database module is built). */
export function installAmbientTransactions(dataSource: DataSource): void {
  const ds = dataSource as DataSource & { [INSTALLED]?: boolean };
  if (ds[INSTALLED]) return;
  ds[INSTALLED] = true;
  const create = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (mode) => {
    const runner = ambient.getStore();
    if (!runner || runner.isReleased) return create(mode);
    if (((runner as unknown as { transactionDepth?: number }).transactionDepth ?? 0) > 1) {
      // Called from inside a service's own transaction: what asks for a connection of its own there (a refusal's
      // audit record, written even though the service's transaction then rolls back) gets one, as it would without
      // the ambient transaction. A lock the ambient transaction already holds would make it wait for ever, so its
      // waits are bounded.
      const independent = create(mode);
      const start = independent.startTransaction.bind(independent);
      independent.startTransaction = async (isolation) => {
        await start(isolation);
        await independent.query(`SET LOCAL lock_timeout = '10s'`);
      };
      return independent;
    }
    // The ambient runner, with release() left to its owner.
    return new Proxy(runner, {
      get(target, prop, receiver) {
        if (prop === 'release') return async () => undefined;
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
}

/** The query runner of the ambient transaction of the current request, if any. */
export function ambientQueryRunner(): QueryRunner | undefined {
  return ambient.getStore();
}

/**
 * Runs `work` outside any ambient transaction (its queries get connections of their own): for work that outlives a
 * request or must not join its transaction (the outbox's delivery, periodic jobs).
 */
export function outsideAmbientTransaction<T>(work: () => T): T {
  return ambient.exit(work);
}

/**
 * Runs `work` with `runner` (whose transaction the caller opened and will end) as the ambient transaction. When
 * `work` throws, the caller should still commit: what its inner transactions completed (refusal audits, released
 * savepoints) would have been committed without the ambient transaction too; a failed statement outside any
 * savepoint has aborted the transaction, and then COMMIT rolls back, as PostgreSQL would have anyway.
 */
export function runInAmbientTransaction<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
  return ambient.run(runner, work);
}

/**
 * Runs `effect` once what the current request wrote is committed: at once without an ambient transaction (the
 * caller's own transaction has committed by then), else after the ambient transaction's commit. A socket push sent
 * before the commit would let a client read too early and miss the change (a doctor's queue refreshed on a
 * notification before the case was visible).
 */
export function afterCommit(effect: () => void): void {
  const runner = ambient.getStore();
  if (!runner || runner.isReleased) {
    effect();
    return;
  }
  const list = waitingForCommit.get(runner) ?? [];
  list.push(effect);
  waitingForCommit.set(runner, list);
}

/** Called by the owner of an ambient transaction once it ended: runs what waited for the commit, or drops it. */
export function settleAfterCommit(runner: QueryRunner, committed: boolean): void {
  const list = waitingForCommit.get(runner) ?? [];
  waitingForCommit.delete(runner);
  if (!committed) return;
  for (const effect of list) {
    try {
      effect();
    } catch {
      // a failed push is the push's problem, never the request's: the change is committed
    }
  }
}

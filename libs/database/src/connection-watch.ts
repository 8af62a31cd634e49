import { Logger } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, QueryRunner } from 'typeorm';

/** The transactions one request (or socket event) holds open, to spot it asking the pool for a second connection. */
interface WorkContext {
  openTransactions: Set<QueryRunner>;
}

const context = new AsyncLocalStorage<WorkContext>();
const logger = new Logger('Connections');

/**
 * Hold-and-wait on the pool: code that, while its request holds a transaction (one connection), waits for another
 * connection. Enough such requests at once take every connection and wait for ever (issue 12, finding 3: a denial
 * audited on a second connection). Each one is logged with its stack and kept here, and the end-to-end tests (the
 * fuzz test runs every route) assert the list stays empty.
 */
export const nestedConnectionAcquisitions: string[] = [];

/** Runs one unit of work (an HTTP request, a socket event) in its own context. */
export function runWork<T>(fn: () => T): T {
  return context.run({ openTransactions: new Set() }, fn);
}

/**
 * Runs `fn` as work of its own, not the current request's: what a request starts and does not wait for (the outbox's
 * delivery after its commit) must not count as that request's transactions.
 */
export function outsideWork<T>(fn: () => T): T {
  return context.exit(fn);
}

let patched = false;

/** Watches the data source's pool for hold-and-wait (cheap: a set lookup per connection taken). */
export function watchNestedConnections(dataSource: DataSource): void {
  if (!patched) {
    patched = true;
    // The driver's QueryRunner class (not imported: TypeORM does not export its deep paths), from an unconnected one.
    const proto = Object.getPrototypeOf(dataSource.createQueryRunner()) as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const name of ['startTransaction', 'commitTransaction', 'rollbackTransaction', 'release']) {
      const original = proto[name];
      proto[name] = async function (this: QueryRunner, ...args: unknown[]) {
        const work = context.getStore();
        try {
          return await original.apply(this, args);
        } finally {
          if (work) {
            if (name === 'startTransaction' && this.isTransactionActive) work.openTransactions.add(this);
            else if (!this.isTransactionActive || name === 'release') work.openTransactions.delete(this);
          }
        }
      };
    }
  }
  const driver = dataSource.driver as unknown as { obtainMasterConnection: () => Promise<unknown>; __watched?: boolean };
  if (driver.__watched) return;
  driver.__watched = true;
  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = () => {
    const work = context.getStore();
    if (work && work.openTransactions.size > 0) {
      const stack = (new Error('second pool connection while a transaction is open').stack ?? '').split('\n').slice(1, 12).join('\n');
      if (nestedConnectionAcquisitions.length < 100) nestedConnectionAcquisitions.push(stack);
      logger.warn(`A second pool connection was taken while this request holds a transaction:\n${stack}`);
    }
    return obtain();
  };
}

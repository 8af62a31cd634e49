import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@hub/testing';
import { createDataSource } from './data-source';
import { Outbox } from './outbox';

/** Two instances' dispatchers (two connection pools on one database) delivering the same outbox. */
describe('outbox delivery across instances', () => {
  let db: TestDatabase;
  let other: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    other = createDataSource({ url: db.url, entities: [], migrations: [], poolSize: 3, logErrors: false });
    await other.initialize();
  });
  afterAll(async () => {
    await other?.destroy();
    await db?.drop();
  });

  it('delivers every committed row exactly once between two dispatchers, and never a rolled-back one', async () => {
    const a = new Outbox(db.dataSource);
    const b = new Outbox(other);
    const delivered: { n: number; by: string }[] = [];
    a.handle('test.count', (p: { n: number }) => void delivered.push({ n: p.n, by: 'a' }));
    b.handle('test.count', (p: { n: number }) => void delivered.push({ n: p.n, by: 'b' }));
    await db.dataSource.transaction(async (m) => {
      for (let n = 0; n < 250; n++) await a.enqueue(m, 'test.count', { n });
    });
    await db.dataSource
      .transaction(async (m) => {
        await a.enqueue(m, 'test.count', { n: -1 });
        throw new Error('business step failed');
      })
      .catch(() => undefined);
    await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
    await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
    const ns = delivered.map((d) => d.n).sort((x, y) => x - y);
    expect(ns).toEqual([...Array(250).keys()]);
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 0 }]);
  });

  it('leaves topics it has no handler for to the instances that have one', async () => {
    const a = new Outbox(db.dataSource);
    a.handle('test.mine', () => undefined);
    await db.dataSource.transaction((m) => a.enqueue(m, 'test.someone-else', { x: 1 }));
    await a.drain();
    await a.onApplicationShutdown();
    expect(await db.dataSource.query(`SELECT topic, attempts FROM outbox`)).toEqual([{ topic: 'test.someone-else', attempts: 0 }]);
  });
});

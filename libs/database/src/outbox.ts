import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { afterCommit, outsideAmbientTransaction } from './ambient-transaction';
import { outsideWork } from './connection-watch';

/** Delivers one outbox row's payload; throwing leaves the row for a later attempt. */
export type OutboxHandler = (payload: any) => Promise<void> | void;

/** How often every instance looks for rows nobody delivered yet (a writer that died, a delivery to retry). */
export const OUTBOX_POLL_MS = 1_000;
const BATCH = 100;
/** Backoff of a failed delivery: 1 s, 2 s, 4 s … up to 5 minutes; a row is never dropped. */
export const outboxRetryDelayMs = (attempts: number) => Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);

/**
 * The transactional outbox. Side effects of a change (socket pushes, jobs) are rows written with `enqueue` through
 * the change's own EntityManager, so they commit or roll back with it. After the commit (`deliverAfterCommit`, or the
 * poll on any instance) a dispatcher claims due rows with `FOR UPDATE SKIP LOCKED` — each row is held by one instance
 * at a time — hands each to the handler registered for its topic, and deletes it in the claiming transaction.
 *
 * Delivery is at least once: an instance that dies after handing a row on but before its commit leaves the row to
 * be delivered again. Payloads therefore carry their own identity (a notification's id) for receivers to drop a
 * repeat. A handler that throws leaves its row, with the error and the attempt count, for a retry after a backoff.
 * An instance only claims topics it has a handler for.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private readonly handlers = new Map<string, OutboxHandler>();
  private timer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Registers the one handler of `topic` in this process (a second registration replaces the first). */
  handle(topic: string, handler: OutboxHandler): void {
    this.handlers.set(topic, handler);
    this.kick();
  }

  /** Writes a side effect into the transaction of `manager` (one row; delivered after that transaction commits). */
  async enqueue(manager: EntityManager, topic: string, payload: unknown): Promise<void> {
    if (topic.length > 60) throw new Error(`outbox topic too long: ${topic}`);
    await manager.query('INSERT INTO outbox (topic, payload) VALUES ($1, $2::jsonb)', [topic, JSON.stringify(payload)]);
  }

  /** Delivers what the current request enqueued as soon as it has committed (else the poll finds it within a second). */
  deliverAfterCommit(): void {
    afterCommit(() => this.kick());
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), OUTBOX_POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining?.catch(() => undefined);
  }

  /** Starts a delivery round now (or another one right after the round in progress). */
  kick(): void {
    if (this.stopped || !this.handlers.size) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    // Started by a request after its commit but not part of it: outside its ambient transaction and its work context.
    this.draining = outsideWork(() => outsideAmbientTransaction(() => this.drain()))
      .then(
        () => undefined,
        (e) => this.logger.warn(`outbox delivery round failed: ${(e as Error).message}`),
      )
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Delivers every due row of the topics this instance handles; resolves with how many were delivered. */
  async drain(): Promise<number> {
    let delivered = 0;
    for (;;) {
      if (!this.dataSource.isInitialized) return delivered;
      const { claimed, done } = await this.round();
      delivered += done;
      if (claimed < BATCH || this.stopped) return delivered;
    }
  }

  private round(): Promise<{ claimed: number; done: number }> {
    return this.dataSource.transaction(async (m) => {
      const rows: { id: string; topic: string; payload: unknown; attempts: number }[] = await m.query(
        `SELECT id, topic, payload, attempts FROM outbox
          WHERE available_at <= now() AND topic = ANY($1)
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [[...this.handlers.keys()]],
      );
      const done: string[] = [];
      for (const row of rows) {
        try {
          await this.handlers.get(row.topic)!(row.payload);
          done.push(row.id);
        } catch (e) {
          const attempts = row.attempts + 1;
          const message = String((e as Error)?.message ?? e).slice(0, 500);
          this.logger.warn(`outbox ${row.topic} #${row.id} failed (attempt ${attempts}): ${message}`);
          await m.query(
            `UPDATE outbox SET attempts = $2, last_error = $3, available_at = now() + make_interval(secs => $4::double precision / 1000) WHERE id = $1`,
            [row.id, attempts, message, outboxRetryDelayMs(attempts)],
          );
        }
      }
      if (done.length) await m.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [done]);
      return { claimed: rows.length, done: done.length };
    });
  }
}

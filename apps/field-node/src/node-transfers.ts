import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import type { AttachmentOffer, AttachmentOfferResult, AttachmentProgress, NodeBudget } from '@hub/contracts';

/** The hub, as the transfers see it: JSON calls and raw-body calls, both authenticated as the node. */
export interface HubLink {
  json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  raw(method: 'PATCH' | 'PUT' | 'GET', path: string, body?: Buffer, headers?: Record<string, string>): Promise<Response>;
}

/** An error the hub answered (4xx/5xx) with its code, as opposed to a link failure. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface TransferProgress {
  direction: 'up' | 'down';
  filename: string;
  /** 1-based position of the file in this round's queue, and the queue's length. */
  index: number;
  total: number;
  percent: number;
}

interface Queued {
  attachment_id: string;
  direction: 'up' | 'down';
  status: string;
  thumb_done: boolean;
  relink: boolean;
  case_id: string;
  message_id: string | null;
  upload_id: string;
  filename: string;
  size: string;
  sha256: string;
  has_thumbnail: boolean;
  uploaded_by_id: string;
  created_at: Date;
}

const MIN_CHUNK = 4 * 1024;
const MAX_CHUNK = 512 * 1024;
/** Aim for chunks of a few seconds: a cut loses at most that much, and headers stay a small share of the bytes. */
const CHUNK_SECONDS = 4;
const UNKNOWN_LINK_BYTES_PER_SECOND = 2048;
/** Files sent at once when no rate budget applies. */
const UPLOADS_IN_FLIGHT = 2;
/** A thumbnail is sent ahead of its file only when the file is at least this many times larger. */
const THUMBNAIL_WORTH = 4;

/**
 * Attachments between the node and the hub (docs/field-node.md, "Attachments"): up, files the clinic attached;
 * down, files of the facility's cases added on the hub. In priority order (emergency cases first; every thumbnail
 * before any full-size file), in chunks the hub acknowledges, so a cut of any length costs at most the chunk in
 * flight; under the mission's budget (kbit/s and megabytes a day). A failure is thrown to the sync loop, which
 * backs off exponentially and tries again: a transfer is dropped only when its record is gone.
 */
export class NodeTransfers {
  private readonly logger = new Logger('NodeTransfers');
  current: TransferProgress | null = null;
  /** Set when the daily volume is used up: files wait for the next day (UTC). */
  volumeExhaustedOn: string | null = null;
  private bytesPerSecond = 0;
  /** Where the hub stands with each file announced in this process's earlier rounds. */
  private readonly announced = new Map<string, AttachmentProgress>();
  private deadline = Infinity;

  /** Whether the round's time for transfers is up (the loop runs another round at once). */
  get more(): boolean {
    return Date.now() > this.deadline;
  }

  constructor(
    private readonly dataSource: DataSource,
    private readonly hub: HubLink,
    private readonly directory: () => string,
  ) {}

  /** Transfers until done or `deadline` (ms since epoch), so a long upload never holds back the next pull for long. */
  async run(budget: NodeBudget, deadline = Infinity): Promise<void> {
    this.deadline = deadline;
    try {
      await this.up(budget);
      await this.down(budget);
    } finally {
      this.current = null;
    }
  }

  /** Files waiting, by direction, for the status bar. */
  async waiting(): Promise<{ up: number; down: number }> {
    const rows: { direction: 'up' | 'down'; n: number }[] = await this.dataSource.query(
      `SELECT direction, count(*)::int AS n FROM node_transfers WHERE status = 'pending' GROUP BY direction`,
    );
    return { up: rows.find((r) => r.direction === 'up')?.n ?? 0, down: rows.find((r) => r.direction === 'down')?.n ?? 0 };
  }

  // ---- up -----------------------------------------------------------------------------------------------------

  private async queue(direction: 'up' | 'down'): Promise<Queued[]> {
    // A transfer whose file record is gone (the case was deleted) has nothing left to send.
    await this.dataSource.query(`DELETE FROM node_transfers t WHERE NOT EXISTS (SELECT 1 FROM case_attachments a WHERE a.id = t.attachment_id)`);
    return this.dataSource.query(
      `SELECT t.attachment_id, t.direction, t.status, t.thumb_done, t.relink, a.case_id, a.message_id, a.upload_id, a.filename, a.size, a.sha256,
              a.has_thumbnail, a.uploaded_by_id, a.created_at
         FROM node_transfers t JOIN case_attachments a ON a.id = t.attachment_id JOIN referral_cases c ON c.id = a.case_id
        WHERE t.direction = $1 AND (t.status = 'pending' OR t.relink)
        ORDER BY CASE c.urgency WHEN 'emergency' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END, a.size < 65536 DESC, a.created_at, a.id`,
      [direction],
    );
  }

  private async up(budget: NodeBudget): Promise<void> {
    const queue = await this.queue('up');
    if (!queue.length) return;
    const progress = new Map<string, AttachmentProgress>();
    // Announce every file and send every thumbnail first: the doctor sees each photo small before any is sent whole.
    const offered = await this.offerAll(queue);
    for (const t of queue) {
      const p = offered.get(t.attachment_id);
      if (!p) continue;
      progress.set(t.attachment_id, p);
      if (t.relink) await this.dataSource.query('UPDATE node_transfers SET relink = false WHERE attachment_id = $1', [t.attachment_id]);
      if (p.status !== 'uploading') {
        await this.finish(t, p);
        continue;
      }
      const thumb = join(this.directory(), `${t.upload_id}.thumb.jpg`);
      if (t.has_thumbnail && !t.thumb_done && existsSync(thumb)) {
        const jpeg = await readFile(thumb);
        if (jpeg.length * THUMBNAIL_WORTH > Number(t.size)) {
          // A small photo is its own preview: its thumbnail would cost more than a quarter of it (the hub makes one
          // when the file is complete). Small files go first within a case anyway.
          await this.dataSource.query('UPDATE node_transfers SET thumb_done = true WHERE attachment_id = $1', [t.attachment_id]);
          continue;
        }
        if (!(await this.allow(budget, jpeg.length))) return;
        await this.paced(budget, jpeg.length, () => this.hub.raw('PUT', `/api/sync/attachments/${t.attachment_id}/thumbnail`, jpeg, { 'Content-Type': 'image/jpeg' }));
        await this.dataSource.query('UPDATE node_transfers SET thumb_done = true WHERE attachment_id = $1', [t.attachment_id]);
      }
    }
    const files = queue.filter((t) => progress.get(t.attachment_id)?.status === 'uploading');
    // Two files in flight keep a long link busy while one waits for its answer (600 ms a chunk on a satellite link).
    // Under a rate budget one at a time, so the pacing holds for the node as a whole.
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && next < files.length) {
        const i = next++;
        if (!(await this.send(files[i], progress.get(files[i].attachment_id)!, i, files.length, budget))) stop = true;
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: budget.rateKbps ? 1 : UPLOADS_IN_FLIGHT }, worker));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Sends one file from the acknowledged offset; false when the round's time or the day's volume is up. */
  private async send(t: Queued, from: AttachmentProgress, i: number, total: number, budget: NodeBudget): Promise<boolean> {
    let p = from;
    const path = join(this.directory(), t.upload_id);
    if (!existsSync(path)) {
      await this.refuse(t, 'the file is missing on this node');
      return true;
    }
    const fd = await open(path, 'r');
    try {
      while (p.status === 'uploading' && p.offset < p.size) {
        if (this.more) return false;
        this.current = { direction: 'up', filename: t.filename, index: i + 1, total, percent: Math.floor((100 * p.offset) / p.size) };
        const length = Math.min(this.chunkSize(budget), p.size - p.offset);
        if (!(await this.allow(budget, length))) return false;
        const chunk = Buffer.alloc(length);
        await fd.read(chunk, 0, length, p.offset);
        try {
          const offset = p.offset;
          const res = await this.paced(budget, length, () =>
            this.hub.raw('PATCH', `/api/sync/attachments/${t.attachment_id}`, chunk, { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) }),
          );
          p = (await res.json()) as AttachmentProgress;
        } catch (e) {
          // The hub holds another offset (a chunk acknowledged but its answer lost on the link): resume from its.
          if (e instanceof HubError && e.status === 409) p = await this.hub.json<AttachmentProgress>('GET', `/api/sync/attachments/${t.attachment_id}`);
          else if (e instanceof HubError && e.status === 404) {
            this.announced.delete(t.attachment_id); // announced again next round
            throw e;
          } else throw e;
        }
        this.announced.set(t.attachment_id, p);
      }
    } finally {
      await fd.close();
    }
    this.announced.delete(t.attachment_id);
    await this.finish(t, p);
    return true;
  }

  /**
   * Announces the queued files, up to 100 per request (one round trip instead of one per file); an older hub without
   * the batch route gets them one by one. Files that must wait or were refused are left out of the answer.
   */
  private async offerAll(all: Queued[]): Promise<Map<string, AttachmentProgress>> {
    const found = new Map<string, AttachmentProgress>();
    // Files announced in an earlier round go on from the offset the hub last acknowledged (a stale one is answered
    // 409 with the right one): a round ends every transferSliceMs, and announcing a long queue again each time would
    // cost more than its headers.
    const queue = all.filter((t) => {
      const known = this.announced.get(t.attachment_id);
      if (known && !t.relink) found.set(t.attachment_id, known);
      return !known || t.relink;
    });
    for (let i = 0; i < queue.length; i += 100) {
      const batch = queue.slice(i, i + 100);
      let results: AttachmentOfferResult[];
      try {
        results = (await this.hub.json<{ results: AttachmentOfferResult[] }>('POST', '/api/sync/attachments/offers', { offers: batch.map(offerOf) })).results;
      } catch (e) {
        if (!(e instanceof HubError && e.status === 404 && i === 0)) throw e;
        for (const t of queue) {
          const p = await this.offer(t);
          if (p) found.set(t.attachment_id, p);
        }
        return found;
      }
      for (const r of results) {
        const t = batch.find((x) => x.attachment_id === r.id);
        if (!t) continue;
        if ('progress' in r) {
          found.set(r.id, r.progress);
          this.announced.set(r.id, r.progress);
        }
        else if (r.status === 404) continue; // the case's text is still on its way
        else if (r.status >= 400 && r.status < 500 && r.status !== 401 && r.status !== 429) await this.refuse(t, `hub answered ${r.status} ${r.code}: ${r.message}`);
        else throw new HubError(r.status, r.code, `hub answered ${r.status} ${r.code}: ${r.message}`);
      }
    }
    return found;
  }

  /** Announces a file (idempotent); null when it must wait (its case is not on the hub yet) or was refused. */
  private async offer(t: Queued): Promise<AttachmentProgress | null> {
    const offer = offerOf(t);
    try {
      return await this.hub.json<AttachmentProgress>('POST', '/api/sync/attachments', offer);
    } catch (e) {
      if (e instanceof HubError && e.status === 404) return null; // the case's text is still on its way
      if (e instanceof HubError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 429) {
        await this.refuse(t, e.message);
        return null;
      }
      throw e;
    }
  }

  private async finish(t: Queued, p: AttachmentProgress) {
    if (p.status === 'ready') {
      await this.dataSource.query(`UPDATE node_transfers SET status = 'done', done_at = now(), reason = NULL WHERE attachment_id = $1`, [t.attachment_id]);
    } else if (p.status === 'rejected') {
      await this.refuse(t, p.reason ?? 'the hub rejected the file');
    }
  }

  private async refuse(t: Queued, reason: string) {
    this.logger.warn(`file ${t.attachment_id} (${t.direction}): ${reason}`);
    await this.dataSource.query(`UPDATE node_transfers SET status = 'refused', relink = false, reason = $2 WHERE attachment_id = $1`, [t.attachment_id, reason.slice(0, 300)]);
  }

  // ---- down ---------------------------------------------------------------------------------------------------

  private async down(budget: NodeBudget): Promise<void> {
    const queue = await this.queue('down');
    for (const t of queue) {
      const thumb = join(this.directory(), `${t.upload_id}.thumb.jpg`);
      if (t.has_thumbnail && !t.thumb_done) {
        const res = await this.hub.raw('GET', `/api/sync/attachments/${t.attachment_id}/content?thumbnail=1`);
        const jpeg = Buffer.from(await res.arrayBuffer());
        await this.count(jpeg.length);
        await writeFile(thumb, jpeg);
        await this.dataSource.query('UPDATE node_transfers SET thumb_done = true WHERE attachment_id = $1', [t.attachment_id]);
      }
    }
    for (const [i, t] of queue.entries()) {
      if (this.more) return;
      const size = Number(t.size);
      const part = join(this.directory(), `${t.upload_id}.part`);
      let offset = existsSync(part) ? (await stat(part)).size : 0;
      if (offset > size) {
        await rm(part);
        offset = 0;
      }
      if (offset < size) {
        if (!(await this.allow(budget, Math.min(size - offset, this.chunkSize(budget))))) return;
        const res = await this.hub.raw('GET', `/api/sync/attachments/${t.attachment_id}/content`, undefined, { Range: `bytes=${offset}-` });
        const fd = await open(part, 'a');
        try {
          const reader = res.body!.getReader();
          const started = Date.now();
          let got = 0;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            await fd.write(value);
            offset += value.length;
            got += value.length;
            await this.count(value.length);
            this.current = { direction: 'down', filename: t.filename, index: i + 1, total: queue.length, percent: Math.floor((100 * offset) / size) };
            await this.dataSource.query('UPDATE case_attachments SET received_bytes = $2 WHERE id = $1', [t.attachment_id, offset]);
            if (budget.rateKbps) await sleep((got * 8) / budget.rateKbps - (Date.now() - started));
          }
        } finally {
          await fd.close();
        }
      }
      if (offset < size) throw new Error(`the download of ${t.filename} stopped at ${offset} of ${size} bytes`);
      const hash = createHash('sha256').update(await readFile(part)).digest('hex');
      if (hash !== t.sha256) {
        await rm(part);
        throw new Error(`the download of ${t.filename} was damaged (checksum mismatch); it starts again`);
      }
      await rename(part, join(this.directory(), t.upload_id));
      await this.dataSource.transaction(async (m: EntityManager) => {
        await m.query('SET LOCAL session_replication_role = replica');
        await m.query(`UPDATE case_attachments SET status = 'ready', received_bytes = NULL WHERE id = $1`, [t.attachment_id]);
        await m.query(`UPDATE node_transfers SET status = 'done', done_at = now() WHERE attachment_id = $1`, [t.attachment_id]);
      });
    }
  }

  // ---- budget -------------------------------------------------------------------------------------------------

  private chunkSize(budget: NodeBudget): number {
    // An unknown link starts small (a satellite link may carry 2 kB/s) and grows with what it is measured to carry.
    const rate = Math.min(budget.rateKbps ? (budget.rateKbps * 1000) / 8 : Infinity, this.bytesPerSecond || UNKNOWN_LINK_BYTES_PER_SECOND);
    return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.floor(rate * CHUNK_SECONDS)));
  }

  /** Runs a send of `bytes`, then waits as long as the budget's rate asks; learns the link's speed for chunk sizes. */
  private async paced(budget: NodeBudget, bytes: number, send: () => Promise<Response>): Promise<Response> {
    const started = Date.now();
    const res = await send();
    const elapsed = Math.max(1, Date.now() - started);
    const measured = (bytes * 1000) / elapsed;
    this.bytesPerSecond = this.bytesPerSecond ? 0.5 * this.bytesPerSecond + 0.5 * measured : measured;
    await this.count(bytes);
    if (budget.rateKbps) await sleep((bytes * 8) / budget.rateKbps - elapsed);
    return res;
  }

  /** Whether today's volume leaves room for `bytes` more (UTC days). */
  private async allow(budget: NodeBudget, bytes: number): Promise<boolean> {
    if (!budget.dailyMegabytes) return true;
    const day = new Date().toISOString().slice(0, 10);
    const [row] = await this.dataSource.query('SELECT value FROM node_state WHERE key = $1', [`volume:${day}`]);
    const used = Number(row?.value ?? 0);
    const ok = used + bytes <= budget.dailyMegabytes * 1_000_000;
    this.volumeExhaustedOn = ok ? null : day;
    return ok;
  }

  private async count(bytes: number): Promise<void> {
    const day = new Date().toISOString().slice(0, 10);
    await this.dataSource.query(
      `INSERT INTO node_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = (node_state.value::bigint + $2::bigint)::text, updated_at = now()`,
      [`volume:${day}`, String(bytes)],
    );
  }
}

function offerOf(t: Queued): AttachmentOffer {
  return {
    id: t.attachment_id,
    caseId: t.case_id,
    messageId: t.message_id,
    uploadId: t.upload_id,
    filename: t.filename,
    size: Number(t.size),
    sha256: t.sha256,
    uploadedById: t.uploaded_by_id,
    createdAt: new Date(t.created_at).toISOString(),
  };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

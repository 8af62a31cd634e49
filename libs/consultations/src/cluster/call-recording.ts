import { Logger } from '@nestjs/common';
import type { RecordingStateView } from '@hub/contracts';
import { RoomRecorder } from '@hub/media';
import type { RecordingResult, Room } from '@hub/media';
import type { RecordingsService } from '../recording/recordings.service';

/** The part of a CallHost room this needs: the room and who holds a seat in it. */
export interface RecordedCall {
  room: Room;
  seats: ReadonlyMap<string, { userId: string; displayName: string }>;
}

interface Running {
  recorder: RoomRecorder;
  recordingId: string;
  startedAt: Date;
}

/** Participants a recording needs at least: a consultation of one is not recorded. */
export const MIN_RECORDED_PARTICIPANTS = 2;

/**
 * Consent and recording of one call, on the media node that holds its room (CallHost): the consents of the
 * participants present, and the RoomRecorder while everyone present (at least two) consents and media flows.
 *
 * - A consent withdrawn, a participant leaving or declined, or someone (re)entering: their consent lapses and the
 *   recording stops AT ONCE — ffmpeg gets SIGTERM in the same tick, before the peer's media goes, and the caller of
 *   `lapse` waits until ffmpeg exited (the WebM is final) before the peer leaves the room.
 * - Starts and the storing of stopped files (RecordingsService: attachment, audit) run one after the other.
 * - A new producer while recording (a camera switched on) rolls over to a new file: ffmpeg's streams are fixed at
 *   start. A new producer while everyone consents but nothing was recording yet starts it.
 * - Every change is broadcast as `recordingState` to the call.
 */
export class CallRecording {
  private readonly logger = new Logger('CallRecording');
  private readonly consents = new Set<string>();
  private running?: Running;
  private starting = false;
  private chain: Promise<void> = Promise.resolve();
  private reason: string | null = null;
  private closed = false;

  constructor(
    private readonly sessionId: string,
    private readonly call: RecordedCall,
    private readonly store: RecordingsService,
    private readonly available: boolean,
    private readonly broadcast: (view: RecordingStateView) => void,
  ) {}

  view(): RecordingStateView {
    return {
      sessionId: this.sessionId,
      available: this.available,
      recording: !!this.running,
      startedAt: this.running?.startedAt.toISOString() ?? null,
      consents: [...this.call.seats].map(([participantId, seat]) => ({ participantId, userId: seat.userId, displayName: seat.displayName, consented: this.consents.has(participantId) })),
      reason: this.reason,
    };
  }

  /**
   * A participant present gave or withdrew consent. Answers at once with the consents (a withdrawal: once ffmpeg has
   * stopped); a recording that starts because of it is announced by `recordingState`.
   */
  async consent(participantId: string, consent: boolean): Promise<RecordingStateView> {
    if (consent) this.consents.add(participantId);
    else this.consents.delete(participantId);
    await this.settle(consent ? 'consent' : 'withdrawn');
    return this.view();
  }

  /**
   * `participantId` leaves, is declined or (re)enters: their consent lapses. Resolves once a recording that had to
   * stop has stopped (ffmpeg exited), so the caller removes the peer only afterwards; the file is stored later.
   */
  async lapse(participantId: string, reason: 'left' | 'declined' | 'joined'): Promise<void> {
    if (this.consents.delete(participantId)) {
      void this.store.lapse(this.sessionId, participantId, reason).catch((e: Error) => this.logger.error(`consent of ${participantId}: ${e.message}`));
    }
    await this.settle(reason);
  }

  /** A producer appeared or resumed in the room: recorded from now on (a new file if a recording runs without it). */
  trackAdded(producerId: string): void {
    // A recording being started may have missed it: look again once it runs.
    if (this.starting) {
      void this.chain.then(() => this.trackAdded(producerId));
      return;
    }
    if (this.running) {
      if (!this.running.recorder.tracks.some((t) => t.producerId === producerId)) void this.settle('new_track', true);
    } else if (this.wanted()) void this.settle('consent');
  }

  /** The room's worker died (its transports with it): what was recorded is kept; the next producers restart it. */
  reset(): void {
    void this.settle('reset', true);
  }

  /** The call ends or the node shuts down: stop and store, and never start again. */
  async close(reason: 'ended' | 'shutdown' | 'empty'): Promise<void> {
    this.closed = true;
    for (const participantId of this.consents) {
      void this.store.lapse(this.sessionId, participantId, reason).catch((e: Error) => this.logger.error(`consent of ${participantId}: ${e.message}`));
    }
    this.consents.clear();
    await this.settle(reason);
    await this.chain;
  }

  private wanted(): boolean {
    const { seats, room } = this.call;
    return (
      !this.closed &&
      this.available &&
      !room.closed &&
      seats.size >= MIN_RECORDED_PARTICIPANTS &&
      [...seats.keys()].every((id) => this.consents.has(id)) &&
      room.listProducers().some((p) => !p.paused)
    );
  }

  /**
   * Stops a recording nobody may want any more (now: SIGTERM in this tick), then queues starting one if everyone
   * consents. Resolves when the stop (if any) finished; `roll` also stops a wanted recording to start a new one.
   */
  private settle(reason: string, roll = false): Promise<void> {
    this.reason = reason;
    const stopped = this.stopUnwanted(reason, roll);
    // Everyone sees the change now (consent shown, recording off); again once a start or the storing is done.
    this.broadcast(this.view());
    this.chain = this.chain
      .then(() => this.startIfWanted(reason))
      .catch((e: Error) => this.logger.error(`session ${this.sessionId}: ${e.message}`))
      .then(() => this.broadcast(this.view()));
    // Not the start: ffmpeg may take seconds to listen on a loaded node; `recordingState` says when it records.
    return roll ? this.chain : stopped;
  }

  /** Sends SIGTERM now when the recording must stop; resolves once ffmpeg exited (the file is stored in the chain). */
  private stopUnwanted(reason: string, roll: boolean): Promise<void> {
    const running = this.running;
    if (!running || (!roll && this.wanted())) return Promise.resolve();
    this.running = undefined;
    const stopping = running.recorder.stop();
    this.chain = this.chain
      .then(() => this.keep(running, stopping, reason))
      .catch((e: Error) => this.logger.error(`session ${this.sessionId}: keeping the recording failed: ${e.message}`));
    return stopping.then(() => undefined, () => undefined);
  }

  private async keep(running: Running, stopping: Promise<RecordingResult>, reason: string): Promise<void> {
    let result: RecordingResult;
    try {
      result = await stopping;
    } catch (e) {
      await this.store.fail(running.recordingId, reason, (e as Error).message);
      return;
    }
    await this.store.store(running.recordingId, result, reason);
  }

  private async startIfWanted(reason: string): Promise<void> {
    if (this.running || this.starting || !this.wanted()) return;
    this.starting = true;
    try {
      const consentedBy = [...this.call.seats].map(([participantId, seat]) => ({ participantId, userId: seat.userId }));
      const { recordingId, outputPath } = await this.store.begin(this.sessionId, consentedBy);
      let recorder: RoomRecorder;
      try {
        recorder = await RoomRecorder.start(this.call.room, { outputPath });
      } catch (e) {
        this.reason = 'failed';
        await this.store.fail(recordingId, 'failed', (e as Error).message);
        return;
      }
      this.running = { recorder, recordingId, startedAt: new Date() };
      // Someone withdrew or left while ffmpeg was starting (settle saw nothing to stop then): stop at once.
      if (!this.wanted()) await this.stopUnwanted(this.reason ?? 'withdrawn', false);
      else this.reason = reason;
    } finally {
      this.starting = false;
    }
  }
}

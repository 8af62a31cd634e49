/**
 * @hub/media — the mediasoup SFU behind live consultations.
 *
 *   MediaModule -> MediaService.getOrCreateRoom(roomId) -> Room.join(peerId, info) -> Peer
 *   Peer: createWebRtcTransport / connectTransport / produce / consume / resumeConsumer / ... / getStats / close
 *   RoomRecorder.start(room, { outputPath }) -> stop(): WebM (VP8 + Opus) of the room's producers through ffmpeg
 *   Room events: newProducer, producerClosed, producerPaused, producerResumed, activeSpeaker, peerQuality,
 *                peerClosed, reset, closed
 *
 * See docs/media.md. Other libs import only from here, never from 'mediasoup'.
 */
export * from './media.types';
export * from './media.errors';
export { MediaModule } from './media.module';
export { MediaService, MediaMetrics } from './media.service';
export { Room, MEDIA_CODECS, MAX_PEERS_PER_ROOM } from './room';
export { Peer, MAX_CONSUMERS_PER_PEER, MAX_INCOMING_BITRATE } from './peer';
export { findWorkerBinary, cachedWorkerPath, mediasoupVersion } from './worker-binary';
export { RoomRecorder } from './recorder';
export type { RecordingResult, RecordedTrack, RecorderOptions } from './recorder';

/**
 * Live-consultation media types shared by the hub (libs/media, libs/consultations) and the web app.
 * The degradation policy itself lives in ./media-policy.ts.
 */

/** What a producer carries. One producer per source per peer. */
export type MediaSource = 'mic' | 'camera' | 'screen';
export const MEDIA_SOURCES: MediaSource[] = ['mic', 'camera', 'screen'];

export type MediaKind = 'audio' | 'video';

/** A peer has at most one transport per direction: `send` carries its producers, `recv` its consumers. */
export type TransportDirection = 'send' | 'recv';

/**
 * Quality level of a peer's downlink, from best to worst (see media-policy.ts for the thresholds).
 * - full: top simulcast layer
 * - reduced: middle layer
 * - low: lowest spatial layer
 * - audio_only: video consumers paused by the server; the client shows a banner
 * - text_suggested: even audio struggles; the client offers to continue in the case thread
 */
export type QualityLevel = 'full' | 'reduced' | 'low' | 'audio_only' | 'text_suggested';
export const QUALITY_LEVELS: QualityLevel[] = ['full', 'reduced', 'low', 'audio_only', 'text_suggested'];

/** Whether live consultations can run on this hub (readiness / pre-call check). */
export interface MediaStatusView {
  /** MEDIA_ENABLED. */
  enabled: boolean;
  /** Workers are running and rooms can be created. */
  available: boolean;
  /** Why not available (missing worker binary, disabled, all workers dead...). */
  reason?: string;
  /** mediasoup version of the server. */
  version: string;
  workers: { pid: number; rooms: number; ports: number[] }[];
}

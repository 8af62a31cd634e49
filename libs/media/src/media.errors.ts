import { DomainException, ErrorCode } from '@hub/common';

/** Why a media operation was refused; sent to clients in socket acknowledgements. */
export type MediaErrorReason =
  | 'MEDIA_UNAVAILABLE'
  | 'ROOM_CLOSED'
  | 'PEER_CLOSED'
  | 'TRANSPORT_NOT_FOUND'
  | 'PRODUCER_NOT_FOUND'
  | 'CONSUMER_NOT_FOUND'
  | 'CANNOT_CONSUME'
  | 'INVALID_PARAMETERS'
  | 'LIMIT_REACHED'
  | 'RECORDING_FAILED';

const CODE: Record<MediaErrorReason, ErrorCode> = {
  MEDIA_UNAVAILABLE: ErrorCode.MediaUnavailable,
  ROOM_CLOSED: ErrorCode.Conflict,
  PEER_CLOSED: ErrorCode.Conflict,
  TRANSPORT_NOT_FOUND: ErrorCode.NotFound,
  PRODUCER_NOT_FOUND: ErrorCode.NotFound,
  CONSUMER_NOT_FOUND: ErrorCode.NotFound,
  CANNOT_CONSUME: ErrorCode.ValidationFailed,
  INVALID_PARAMETERS: ErrorCode.ValidationFailed,
  LIMIT_REACHED: ErrorCode.Conflict,
  RECORDING_FAILED: ErrorCode.MediaUnavailable,
};

/**
 * The one error type of @hub/media. `reason` is stable (clients switch on it); the message never contains
 * another room's or peer's data. An id that belongs to another room or peer gives the same answer as an id
 * that does not exist (TRANSPORT_NOT_FOUND / PRODUCER_NOT_FOUND / CONSUMER_NOT_FOUND).
 */
export class MediaError extends DomainException {
  constructor(
    readonly reason: MediaErrorReason,
    message: string,
  ) {
    super(CODE[reason], message);
    this.name = 'MediaError';
  }
}

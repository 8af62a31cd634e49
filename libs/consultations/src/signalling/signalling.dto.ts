import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { DtlsParameters, RtpCapabilities, RtpParameters } from '@hub/contracts';

/**
 * Payloads of the client events (see ConsultationClientEvents in @hub/contracts). Validated like HTTP bodies:
 * unknown fields refused, every problem names its field. mediasoup's own objects (RTP and DTLS parameters,
 * capabilities) are checked to be objects here and in depth by mediasoup, whose refusal answers INVALID_PARAMETERS.
 */
const uuid = (field: string) => IsUUID('all', { message: `${field} must be a UUID` });

export class JoinDto {
  @uuid('sessionId')
  sessionId: string;

  @IsOptional()
  @IsString()
  @Length(20, 100, { message: 'invitationToken must be 20 to 100 characters' })
  invitationToken?: string;

  @IsOptional()
  @IsObject({ message: 'rtpCapabilities must be an object' })
  rtpCapabilities?: RtpCapabilities;

  @IsOptional()
  @IsBoolean({ message: 'audioOnly must be a boolean' })
  audioOnly?: boolean;
}

export class ParticipantDto {
  @uuid('participantId')
  participantId: string;
}

export class DeclineEventDto extends ParticipantDto {
  @IsOptional()
  @IsString()
  @MaxLength(300, { message: 'reason must be at most 300 characters' })
  reason?: string;
}

export class CreateTransportDto {
  @IsIn(['send', 'recv'], { message: 'direction must be send or recv' })
  direction: 'send' | 'recv';

  @IsOptional()
  @IsBoolean({ message: 'forceTcp must be a boolean' })
  forceTcp?: boolean;
}

export class TransportRefDto {
  @uuid('transportId')
  transportId: string;
}

export class ConnectTransportDto extends TransportRefDto {
  @IsObject({ message: 'dtlsParameters must be an object' })
  dtlsParameters: DtlsParameters;
}

export class ProduceDto extends TransportRefDto {
  @IsIn(['audio', 'video'], { message: 'kind must be audio or video' })
  kind: 'audio' | 'video';

  @IsObject({ message: 'rtpParameters must be an object' })
  rtpParameters: RtpParameters;

  @IsIn(['mic', 'camera', 'screen'], { message: 'source must be mic, camera or screen' })
  source: 'mic' | 'camera' | 'screen';

  @IsOptional()
  @IsBoolean({ message: 'paused must be a boolean' })
  paused?: boolean;
}

export class ConsumeDto extends TransportRefDto {
  @uuid('producerId')
  producerId: string;

  @IsObject({ message: 'rtpCapabilities must be an object' })
  rtpCapabilities: RtpCapabilities;
}

export class ConsumerRefDto {
  @uuid('consumerId')
  consumerId: string;
}

export class ProducerRefDto {
  @uuid('producerId')
  producerId: string;
}

export class PreferredLayersDto extends ConsumerRefDto {
  @Type(() => Number)
  @IsInt({ message: 'spatialLayer must be a whole number' })
  @Min(0, { message: 'spatialLayer must be 0 to 2' })
  @Max(2, { message: 'spatialLayer must be 0 to 2' })
  spatialLayer: number;

  @IsOptional()
  @IsInt({ message: 'temporalLayer must be a whole number' })
  @Min(0, { message: 'temporalLayer must be 0 to 2' })
  @Max(2, { message: 'temporalLayer must be 0 to 2' })
  temporalLayer?: number;
}

export class AudioOnlyDto {
  @IsBoolean({ message: 'audioOnly must be a boolean' })
  audioOnly: boolean;
}

export class RecordingConsentDto {
  @IsBoolean({ message: 'consent must be true (give) or false (withdraw)' })
  consent: boolean;
}

export class ChatDto {
  @IsString({ message: 'body must be text' })
  @Length(1, 4000, { message: 'body must be 1 to 4000 characters' })
  body: string;
}

export class StatsDto {
  @IsOptional()
  @IsNumber({}, { message: 'inboundBitrateKbps must be a number' })
  @Min(0, { message: 'inboundBitrateKbps must not be negative' })
  @Max(1_000_000, { message: 'inboundBitrateKbps is implausibly high' })
  inboundBitrateKbps?: number;

  @IsOptional()
  @IsNumber({}, { message: 'outboundBitrateKbps must be a number' })
  @Min(0, { message: 'outboundBitrateKbps must not be negative' })
  @Max(1_000_000, { message: 'outboundBitrateKbps is implausibly high' })
  outboundBitrateKbps?: number;

  @IsOptional()
  @IsNumber({}, { message: 'packetLoss must be a number' })
  @Min(0, { message: 'packetLoss must be between 0 and 1' })
  @Max(1, { message: 'packetLoss must be between 0 and 1' })
  packetLoss?: number;

  @IsOptional()
  @IsNumber({}, { message: 'rttMs must be a number' })
  @Min(0, { message: 'rttMs must not be negative' })
  @Max(60_000, { message: 'rttMs must be at most 60000' })
  rttMs?: number;

  @IsOptional()
  @IsNumber({}, { message: 'availableOutgoingKbps must be a number' })
  @Min(0, { message: 'availableOutgoingKbps must not be negative' })
  availableOutgoingKbps?: number;
}

export class PingDto {
  @IsNumber({}, { message: 'sentAt must be a number' })
  sentAt: number;
}

export class EmptyDto {}

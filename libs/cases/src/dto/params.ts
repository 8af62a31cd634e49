import { IsUUID, Matches } from 'class-validator';

export class IdParam {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

export class UploadParam {
  @Matches(/^[0-9a-f]{32}$/, { message: 'uploadId must be an upload id (32 hex digits)' })
  uploadId: string;
}

import { Matches } from 'class-validator';

export class UploadParam {
  @Matches(/^[0-9a-f]{32}$/, { message: 'uploadId must be an upload id (32 hex digits)' })
  uploadId: string;
}

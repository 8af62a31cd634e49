import { IsUUID } from 'class-validator';

/** `:id` route parameter of any record. */
export class IdParam {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

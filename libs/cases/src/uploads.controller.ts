import { All, Controller, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Caller, CallerContext, Policy } from '@hub/access';
import { AttachmentsService } from './attachments.service';
import { UploadParam } from './dto/params';

/**
 * The tus endpoint (resumable uploads). Signed-in users only; the attachments service decides per case and per
 * upload who may create, resume or read one.
 */
@ApiTags('attachments')
@Controller('uploads')
export class UploadsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @All()
  @Policy.authenticated()
  async create(@Caller() caller: CallerContext, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.attachments.handle(caller, req, res);
  }

  @All(':uploadId')
  @Policy.authenticated()
  async resume(@Caller() caller: CallerContext, @Param() { uploadId }: UploadParam, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.attachments.handle(caller, req, res, uploadId);
  }
}

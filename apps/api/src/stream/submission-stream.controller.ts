import { Controller, type MessageEvent, Param, Sse } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { UserId } from '../identity/identity.decorators';
import { SubmissionStreams } from './submission-stream.service';

@ApiTags('submissions')
@Controller('api')
export class SubmissionStreamController {
  constructor(private readonly streams: SubmissionStreams) {}

  @Sse('submissions/:id/events')
  @ApiOperation({
    summary: 'Server-Sent Events: `status` events carrying the SubmissionView until it is final',
  })
  events(
    @Param('id') id: string,
    @UserId() userId: string | null,
  ): Promise<Observable<MessageEvent>> {
    return this.streams.open(userId, id);
  }
}

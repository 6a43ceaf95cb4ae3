import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Identity } from '../identity/identity';
import { CurrentIdentity, UserId } from '../identity/identity.decorators';
import { parseSubmitInput } from './submission-input';
import { SubmissionsService } from './submissions.service';

/** Everything here is one student's own data: never stored by any cache. */
const PRIVATE = 'private, no-store';

@ApiTags('submissions')
@Controller('api')
export class SubmissionsController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Post('assignments/:idOrSlug/submissions')
  @HttpCode(202)
  @Header('cache-control', PRIVATE)
  @ApiOperation({ summary: 'Submit code for grading' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retried POST with the same key returns the same submission',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['code'],
      properties: { code: { type: 'string', maxLength: 65536 } },
    },
  })
  @ApiResponse({
    status: 202,
    description: 'SubmissionView, queued (or joined an identical one in flight)',
  })
  @ApiResponse({
    status: 200,
    description: 'SubmissionView with the final verdict of identical earlier code',
  })
  @ApiResponse({ status: 400, description: 'Invalid body' })
  @ApiResponse({
    status: 409,
    description: 'A submission is already in flight: error.details.submissionId',
  })
  @ApiResponse({ status: 413, description: 'Code over 64 KB' })
  @ApiResponse({ status: 429, description: 'Rate limited; see Retry-After' })
  async submit(
    @Param('idOrSlug') idOrSlug: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentIdentity() identity: Identity,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.submissions.submit(
      identity,
      idOrSlug,
      parseSubmitInput(body, idempotencyKey),
    );
    reply.code(result.kind === 'final' ? 200 : 202);
    return result.view;
  }

  @Get('assignments/:idOrSlug/submissions')
  @Header('cache-control', PRIVATE)
  @ApiOperation({ summary: 'The caller’s own submissions for one assignment, newest first' })
  history(@Param('idOrSlug') idOrSlug: string, @UserId() userId: string | null) {
    return this.submissions.history(userId, idOrSlug);
  }

  @Get('submissions/:id')
  @Header('cache-control', PRIVATE)
  @ApiOperation({
    summary:
      'One of the caller’s submissions (404 for anyone else’s), with queuePosition while queued',
  })
  get(@Param('id') id: string, @UserId() userId: string | null) {
    return this.submissions.get(userId, id);
  }
}

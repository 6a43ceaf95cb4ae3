import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SubmissionStreams } from '../events/submission-stream.service';
import { send } from '../http/http-answer';
import { SubmissionsService } from './submissions.service';

@ApiTags('submissions')
@Controller('api')
export class SubmissionsController {
  constructor(
    private readonly submissions: SubmissionsService,
    private readonly streams: SubmissionStreams,
  ) {}

  @Post('assignments/:idOrSlug/submissions')
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit code for grading' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried POST with the same key returns the same submission' })
  @ApiBody({ schema: { type: 'object', required: ['code'], properties: { code: { type: 'string', maxLength: 65536 } } } })
  @ApiResponse({ status: 202, description: 'SubmissionView, queued (or joined an identical one in flight)' })
  @ApiResponse({ status: 200, description: 'SubmissionView with the final verdict of identical earlier code' })
  @ApiResponse({ status: 400, description: 'Invalid body' })
  @ApiResponse({ status: 409, description: 'A submission is already in flight: error.details.submissionId' })
  @ApiResponse({ status: 413, description: 'Code over 64 KB' })
  @ApiResponse({ status: 429, description: 'Rate limited; see Retry-After' })
  async submit(@Param('idOrSlug') idOrSlug: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.submissions.submit(idOrSlug, body, request, reply));
  }

  @Get('assignments/:idOrSlug/submissions')
  @ApiOperation({ summary: 'The caller’s own submissions for one assignment, newest first' })
  async history(@Param('idOrSlug') idOrSlug: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.submissions.history(idOrSlug, request));
  }

  @Get('submissions/:id')
  @ApiOperation({ summary: 'One of the caller’s submissions (404 for anyone else’s), with queuePosition while queued' })
  async get(@Param('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.submissions.get(id, request));
  }

  @Get('submissions/:id/events')
  @ApiOperation({ summary: 'Server-Sent Events: `status` events carrying the SubmissionView until it is final' })
  async events(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.streams.stream(id, request, reply);
  }
}

import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { UserId } from '../identity/identity.decorators';
import type { CachedAnswer } from './assignment-cache.service';
import { AssignmentsService } from './assignments.service';

/** Public answers may be reused briefly; the ETag makes revalidation cheap. */
const PUBLIC_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=30';

@ApiTags('assignments')
@Controller('api/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get()
  @ApiOperation({
    summary: 'The course in order, with the caller’s solved flags; never hidden tests',
  })
  @ApiOkResponse({
    description: 'AssignmentSummary[]; public and ETagged without a cookie, private with one',
  })
  async list(
    @UserId() userId: string | null,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-none-match') etag?: string,
  ) {
    const list = await this.assignments.list(userId);
    if (list.kind === 'shared') return sendShared(reply, list.answer, etag);
    reply.header('cache-control', 'private, no-store');
    return list.items;
  }

  @Get(':idOrSlug')
  @ApiOperation({
    summary: 'One assignment: handout (markdown), starter code, sample tests, limits',
  })
  @ApiOkResponse({ description: 'AssignmentDetail (public, ETagged); 404 when unknown' })
  async detail(
    @Param('idOrSlug') idOrSlug: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-none-match') etag?: string,
  ) {
    return sendShared(reply, await this.assignments.find(idOrSlug), etag);
  }
}

/** A shared answer: cacheable by anyone, its bytes encoded once, 304 when the client has them. */
function sendShared(
  reply: FastifyReply,
  answer: CachedAnswer<unknown>,
  ifNoneMatch: string | undefined,
): Buffer | string {
  reply.headers({ 'cache-control': PUBLIC_CACHE_CONTROL, etag: answer.etag, vary: 'Cookie' });
  if (
    ifNoneMatch &&
    ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === answer.etag)
  ) {
    reply.code(304);
    return '';
  }
  reply.type('application/json; charset=utf-8');
  return answer.body;
}

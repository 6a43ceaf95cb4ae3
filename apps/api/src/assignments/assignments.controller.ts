import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CachedAnswer } from './assignment-cache.service';
import { AssignmentsService } from './assignments.service';

/** Public answers may be reused briefly; the ETag makes revalidation cheap. */
const PUBLIC_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=30';
/**
 * The list is cached by NGINX (infra/nginx) for as long as max-age says, then revalidated with
 * its ETag (a 304 costs the API next to nothing): a content sync shows within these seconds.
 */
export const LIST_CACHE_CONTROL = 'public, max-age=2, stale-while-revalidate=10';

@ApiTags('assignments')
@Controller('api/assignments')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Get()
  @ApiOperation({
    summary:
      'The course in order, the same for everyone (solved ids come with /api/me); never hidden tests',
  })
  @ApiOkResponse({
    description: 'AssignmentSummary[]; public, ETagged, cached by NGINX for a few seconds',
  })
  async list(
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-none-match') etag?: string,
  ) {
    return sendShared(reply, await this.assignments.list(), etag, LIST_CACHE_CONTROL);
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
    return sendShared(reply, await this.assignments.find(idOrSlug), etag, PUBLIC_CACHE_CONTROL);
  }
}

/**
 * A shared answer: cacheable by anyone, its bytes encoded once, 304 when the client has them.
 * Nothing in it depends on the cookie, so it names no `Vary: Cookie` (NGINX would then keep a
 * copy per student).
 */
function sendShared(
  reply: FastifyReply,
  answer: CachedAnswer<unknown>,
  ifNoneMatch: string | undefined,
  cacheControl: string,
): Buffer | string {
  reply.headers({ 'cache-control': cacheControl, etag: answer.etag });
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

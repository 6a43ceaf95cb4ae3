import { Controller, Get, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { send } from '../http/http-answer';
import { IdentityService } from '../identity/identity.service';
import { AssignmentsService } from './assignments.service';

@ApiTags('assignments')
@Controller('api/assignments')
export class AssignmentsController {
  constructor(
    private readonly assignments: AssignmentsService,
    private readonly identity: IdentityService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The course in order, with the caller’s solved flags; never hidden tests' })
  @ApiOkResponse({ description: 'AssignmentSummary[]; public and ETagged without a cookie, private with one' })
  async list(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Headers('if-none-match') etag?: string) {
    return send(reply, await this.assignments.list(this.identity.current(request), etag));
  }

  @Get(':idOrSlug')
  @ApiOperation({ summary: 'One assignment: handout (markdown), starter code, sample tests, limits' })
  @ApiOkResponse({ description: 'AssignmentDetail (public, ETagged); 404 when unknown' })
  async detail(@Param('idOrSlug') idOrSlug: string, @Res({ passthrough: true }) reply: FastifyReply, @Headers('if-none-match') etag?: string) {
    return send(reply, await this.assignments.detail(idOrSlug, etag));
  }
}

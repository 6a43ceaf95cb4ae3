import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { send } from '../http/http-answer';
import { ProgressService } from './progress.service';

@ApiTags('me')
@Controller('api/me')
export class MeController {
  constructor(private readonly progress: ProgressService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s identity (created on the first call), points, solved ids and next assignment' })
  async me(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.progress.me(request, reply));
  }
}

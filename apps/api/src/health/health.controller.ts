import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { send } from '../http/http-answer';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Postgres and Redis reachability: 200 when both are up, 503 otherwise' })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, await this.health.answer());
  }
}

import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { healthStatusCode } from '@koodi/server';
import type { FastifyReply } from 'fastify';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Header('cache-control', 'private, no-store')
  @ApiOperation({ summary: 'Postgres and Redis reachability: 200 when both are up, 503 otherwise' })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    const health = await this.health.check();
    reply.code(healthStatusCode(health));
    return health;
  }
}

import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreatesIdentity, UserId } from '../identity/identity.decorators';
import { ProgressService } from './progress.service';

@ApiTags('me')
@Controller('api/me')
export class MeController {
  constructor(private readonly progress: ProgressService) {}

  /** The anonymous identity is created on a first visit, or when the database no longer knows it. */
  @Get()
  @CreatesIdentity()
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary:
      'The caller’s identity (created on the first call), points, solved ids and next assignment',
  })
  me(@UserId() userId: string) {
    return this.progress.me(userId);
  }
}

import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MAX_HINTS } from '@koodi/contracts';
import type { Identity } from '../identity/identity';
import { CurrentIdentity, UserId } from '../identity/identity.decorators';
import { parseHintNumber } from './hint-input';
import { HintsService } from './hints.service';

@ApiTags('hints')
@Controller('api/assignments/:idOrSlug/hints')
export class HintsController {
  constructor(private readonly hints: HintsService) {}

  @Get()
  @Header('cache-control', 'private, no-store')
  @ApiOperation({ summary: 'The hints the caller has revealed, and what stands before the next' })
  @ApiResponse({ status: 200, description: 'HintsView' })
  @ApiResponse({ status: 404, description: 'Unknown assignment' })
  list(@Param('idOrSlug') idOrSlug: string, @UserId() userId: string | null) {
    return this.hints.list(userId, idOrSlug);
  }

  @Post()
  @HttpCode(200)
  @Header('cache-control', 'private, no-store')
  @ApiOperation({ summary: 'Reveal the next hint; answers every hint revealed so far' })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      properties: { number: { type: 'integer', minimum: 1, maximum: MAX_HINTS } },
    },
  })
  @ApiResponse({ status: 200, description: 'HintsView' })
  @ApiResponse({
    status: 403,
    description: 'Held back: details.failuresNeeded more failed submissions',
  })
  @ApiResponse({ status: 404, description: 'Unknown assignment' })
  @ApiResponse({ status: 409, description: 'No hints, none left, or not the next one' })
  reveal(
    @Param('idOrSlug') idOrSlug: string,
    @Body() body: unknown,
    @CurrentIdentity() identity: Identity,
  ) {
    return this.hints.reveal(identity, idOrSlug, parseHintNumber(body));
  }
}

import { Body, Controller, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MAX_CODE_BYTES, MAX_STDIN_BYTES } from '@koodi/contracts';
import type { Identity } from '../identity/identity';
import { CurrentIdentity } from '../identity/identity.decorators';
import { parseRunInput } from './run-input';
import { RunsService } from './runs.service';

@ApiTags('runs')
@Controller('api')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post('assignments/:idOrSlug/runs')
  @HttpCode(200)
  @Header('cache-control', 'private, no-store')
  @ApiOperation({
    summary: 'Run code against the visible samples: no submission, no points, no history',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['code'],
      properties: {
        code: { type: 'string', maxLength: MAX_CODE_BYTES },
        stdin: { type: 'string', maxLength: MAX_STDIN_BYTES },
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: 'RunView: status, summary, per-test results, output, durationMs',
  })
  @ApiResponse({ status: 400, description: 'Invalid body' })
  @ApiResponse({ status: 404, description: 'Unknown assignment' })
  @ApiResponse({ status: 413, description: 'Code or stdin over 64 KB' })
  @ApiResponse({ status: 429, description: 'Rate limited; see Retry-After' })
  @ApiResponse({ status: 503, description: 'No grader answered in time; see Retry-After' })
  run(
    @Param('idOrSlug') idOrSlug: string,
    @Body() body: unknown,
    @CurrentIdentity() identity: Identity,
  ) {
    return this.runs.run(identity, idOrSlug, parseRunInput(body));
  }
}

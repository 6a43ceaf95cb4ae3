import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MAX_GRADING_ATTEMPTS, type GradeSubmissionJob } from '@koodi/contracts';
import { RedisListServer } from '@koodi/queue';
import type { GraderConfig } from './config/grader.config';
import { GraderModule, type GraderOverrides } from './grader.module';
import { GradingService } from './grading/grading.service';
import { JsonLogger } from './logging/json.logger';

export interface Grader {
  app: INestMicroservice;
  server: RedisListServer;
}

/**
 * Builds the grader: a Nest microservice whose transport takes jobs from the Redis list, as many
 * at a time as there are sandbox slots. `app.listen()` starts it (and runs the init hooks; do not call `init()` as well).
 */
export async function createGrader(
  config: GraderConfig,
  overrides: GraderOverrides = {},
): Promise<Grader> {
  const consumerId = consumerIdOf(config.graderId);
  const server = new RedisListServer({
    redisUrl: config.redisUrl,
    queue: config.gradingQueue,
    consumerId,
    concurrency: config.slots,
    heartbeatTtlMs: config.heartbeatTtlMs,
    maxAttempts: MAX_GRADING_ATTEMPTS,
    shutdownTimeoutMs: config.shutdownGraceSeconds * 1000,
    onDeadLetter: async (message, reason) => {
      // Only called once listening, by which time `app` below exists.
      await app.get(GradingService).giveUp(message.data as GradeSubmissionJob, reason);
    },
  });
  const app = await NestFactory.createMicroservice(
    GraderModule.register(config, overrides, consumerId),
    {
      strategy: server,
      // Every line names the consumer, so a fleet's logs can be told apart.
      logger: overrides.logger ?? JsonLogger.create(config.logLevel, { consumer: consumerId }),
      bufferLogs: false,
    },
  );
  return { app, server };
}

/**
 * Unique per process: a grader restarted under the same GRADER_ID (Compose, a pod's container)
 * must not take over the lease of its crashed predecessor, or the jobs that one held would never
 * be reaped back to the queue.
 */
export function consumerIdOf(graderId: string): string {
  return `${graderId}-${randomBytes(3).toString('hex')}`;
}

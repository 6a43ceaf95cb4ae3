import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@koodi/server';
import { loadGraderConfig, type GraderConfig } from './app/config/grader.config';
import { createGrader } from './app/grader.app';
import { JsonLogger } from './app/logging/json.logger';

/** Past the queue's own deadline, the pool may still be finishing a job up to its wall limit. */
const EXIT_GRACE_MS = 30_000;

async function main(): Promise<void> {
  let config: GraderConfig;
  try {
    config = loadGraderConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    JsonLogger.create('info').pino.fatal(
      { context: 'Grader', problems: error.problems },
      error.message,
    );
    process.exit(2);
  }
  const logger = new Logger('Grader');
  const { app, server } = await createGrader(config);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: taking no more jobs, finishing those in hand`);
    setTimeout(
      () => {
        logger.error('Shutdown did not finish in time; exiting');
        process.exit(1);
      },
      config.shutdownGraceSeconds * 1000 + EXIT_GRACE_MS,
    ).unref();
    app.close().then(
      () => {
        logger.log('Stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ msg: 'Shutdown failed', err: error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  // listen() runs the init hooks (init() first would run them twice in a Nest microservice).
  await app.listen();
  logger.log(
    `Grader ${server.consumerId} taking jobs from ${config.gradingQueue} with ${config.slots} sandbox slot(s)`,
  );
}

main().catch((error: unknown) => {
  JsonLogger.create('info').pino.fatal({ context: 'Grader', err: error }, 'Grader failed to start');
  process.exit(1);
});

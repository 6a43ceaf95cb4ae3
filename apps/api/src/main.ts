import { ConfigError, loadApiConfig } from './config/api.config';
import { createApiApp } from './app.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadApiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApiApp(config);
  const log = app.getHttpAdapter().getInstance().log;
  if (config.cookieSecretIsDefault) log.warn('COOKIE_SECRET is not set: using the development default');

  // SIGTERM: stop accepting, end event streams, let in-flight requests finish, close the
  // connections, exit 0. If draining hangs, leave anyway before the orchestrator kills us.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: shutting down`);
      setTimeout(() => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownGraceSeconds * 1000).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ port: config.port, host: config.host });
  log.info(`api listening on ${await app.getUrl()}`);
}

void main();

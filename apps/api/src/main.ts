import { ConfigError, loadApiConfig } from './config/api.config';
import { createApiApp } from './app.factory';
import { PLAIN_COOKIE, SECURE_COOKIE } from './identity/identity.guard';

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
  if (config.cookieSecretIsDefault)
    log.warn('COOKIE_SECRET is not set: using the development default');
  if (config.production) {
    log.info(
      `identity cookie: ${SECURE_COOKIE} (Secure) on requests over HTTPS, ${PLAIN_COOKIE} (not Secure, with a warning) ` +
        `over plain HTTP; X-Forwarded-Proto is believed from TRUST_PROXY=${String(config.trustProxy)}`,
    );
    // Without a trusted proxy only the socket counts, and this server speaks plain HTTP itself.
    if (config.trustProxy === false) {
      log.warn(
        'NODE_ENV=production with TRUST_PROXY=false: every request counts as plain HTTP, so no cookie is Secure',
      );
    }
  }

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

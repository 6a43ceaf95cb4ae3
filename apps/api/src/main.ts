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
  if (config.cookieSecretIsDefault) {
    app.getHttpAdapter().getInstance().log.warn('COOKIE_SECRET is not set: using the development default');
  }
  // If draining hangs, leave anyway: the orchestrator is about to kill us.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), config.shutdownGraceSeconds * 1000).unref());
  }
  await app.listen({ port: config.port, host: config.host });
  app.getHttpAdapter().getInstance().log.info(`api listening on http://${config.host}:${config.port}`);
}

void main();

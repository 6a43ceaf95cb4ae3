export * from './lib/config/config.error';
export * from './lib/config/env.reader';
export * from './lib/config/server.config';
export * from './lib/ops/health';
export * from './lib/ops/ops.server';
export * from './lib/events/submission-events.publisher';
export * from './lib/grading/give-up';

// Test support only (the `@koodi/db/testing` entry): never imported by production code.
export * from './submission.repository.fake';
export * from './submission-rows';
export * from './hint.repository.fake';

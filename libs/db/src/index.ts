export * from './lib/data-source';
export * from './lib/entities/user.entity';
export * from './lib/entities/assignment.entity';
export * from './lib/entities/submission.entity';
export * from './lib/repositories/user.repository';
export * from './lib/repositories/assignment.repository';
export * from './lib/repositories/submission.repository';
export * from './lib/repositories/hint.repository';

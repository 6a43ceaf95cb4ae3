/** The grader's own Redis connection for publishing (the queue transport keeps its own). */
export const REDIS_PUBLISHER = Symbol('REDIS_PUBLISHER');

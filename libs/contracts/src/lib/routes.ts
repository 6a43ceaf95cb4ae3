/** Every HTTP path of the API in one place, for the server, the web app and the tests. */
export const apiRoutes = {
  health: () => '/api/health',
  me: () => '/api/me',
  assignments: () => '/api/assignments',
  assignment: (idOrSlug: string) => `/api/assignments/${encodeURIComponent(idOrSlug)}`,
  submissions: (assignmentId: string) =>
    `/api/assignments/${encodeURIComponent(assignmentId)}/submissions`,
  runs: (assignmentId: string) => `/api/assignments/${encodeURIComponent(assignmentId)}/runs`,
  hints: (assignmentId: string) => `/api/assignments/${encodeURIComponent(assignmentId)}/hints`,
  submission: (id: string) => `/api/submissions/${encodeURIComponent(id)}`,
  submissionEvents: (id: string) => `/api/submissions/${encodeURIComponent(id)}/events`,
} as const;

/**
 * Pages of the web app. The site is static, so an assignment is one page that reads its slug
 * from the query string: any plain static server serves it without rewrites.
 */
export const pageRoutes = {
  home: () => '/',
  assignment: (slug: string) => `/assignment/?a=${encodeURIComponent(slug)}`,
  /** The assignment page without a slug opens the student's first unsolved assignment. */
  resume: () => '/assignment/',
} as const;

/** Query parameter of {@link pageRoutes.assignment} that carries the slug. */
export const ASSIGNMENT_SLUG_PARAM = 'a';

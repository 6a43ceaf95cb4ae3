/** Every HTTP path of the API in one place, for the server, the web app and the tests. */
export const apiRoutes = {
  health: () => '/api/health',
  me: () => '/api/me',
  assignments: () => '/api/assignments',
  assignment: (idOrSlug: string) => `/api/assignments/${encodeURIComponent(idOrSlug)}`,
  submissions: (assignmentId: string) =>
    `/api/assignments/${encodeURIComponent(assignmentId)}/submissions`,
  submission: (id: string) => `/api/submissions/${encodeURIComponent(id)}`,
  submissionEvents: (id: string) => `/api/submissions/${encodeURIComponent(id)}/events`,
} as const;

/** Pages of the web app. */
export const pageRoutes = {
  home: () => '/',
  assignment: (slug: string) => `/assignments/${encodeURIComponent(slug)}/`,
} as const;

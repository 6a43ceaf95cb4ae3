// Shared by the k6 scenarios: where the stack is, and the few API calls they make.
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { check, fail } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
/** Seconds each scenario runs after a warm-up (`npm run bench` uses the same). */
export const DURATION = __ENV.DURATION || '30s';
export const VUS = Number(__ENV.VUS || 10);

export interface AssignmentSummary {
  id: string;
  slug: string;
  position: number;
}

export interface SubmissionView {
  id: string;
  status: string;
  verdict: string | null;
}

export const FINAL = ['passed', 'failed', 'error'];

export function json<T>(response: RefinedResponse<ResponseType | undefined>): T {
  return JSON.parse(String(response.body)) as T;
}

/** The first assignment by position; its reference solution must be passed in CODE_FILE or known. */
export function firstAssignment(): AssignmentSummary {
  const response = http.get(`${BASE_URL}/api/assignments`);
  if (response.status !== 200) fail(`GET /api/assignments answered ${response.status}`);
  const list = json<AssignmentSummary[]>(response);
  if (list.length === 0) fail('no assignments: sync the content first');
  return list.slice().sort((a, b) => a.position - b.position)[0];
}

/** A fresh anonymous student: forget this VU's cookie, then let the API issue a new identity. */
export function newStudent(): void {
  http.cookieJar().clear(BASE_URL);
  const me = http.get(`${BASE_URL}/api/me`, { tags: { name: 'me' } });
  check(me, { 'identity issued': (r) => r.status === 200 });
}

/** Code that passes the first assignment ("Hello") yet differs per call, so nothing is deduplicated. */
export function distinctSolution(salt: string): string {
  return `def hello():\n    return "Hello"\n\n# ${salt}\n`;
}

export function submit(
  assignmentId: string,
  code: string,
): RefinedResponse<ResponseType | undefined> {
  return http.post(
    `${BASE_URL}/api/assignments/${assignmentId}/submissions`,
    JSON.stringify({ code }),
    {
      headers: { 'content-type': 'application/json' },
      tags: { name: 'submit' },
    },
  );
}

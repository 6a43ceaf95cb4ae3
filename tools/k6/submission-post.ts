// docs/PERFORMANCE.md: POST submission (distinct code, many users, accepted), 10 connections:
// ≥ 3,000 req/s, p99 ≤ 15 ms. Every iteration is a new student (one in flight each) with code
// no one sent before. Run it from 127.0.0.1 of the NGINX host (the flood guard exempts only
// that address), e.g. the web container's network namespace with the Compose stack.
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  DURATION,
  VUS,
  distinctSolution,
  firstAssignment,
  newStudent,
  submit,
} from './lib/koodi.ts';

const accepted = new Counter('submissions_accepted');

export const options: Options = {
  scenarios: {
    submissions: { executor: 'constant-vus', vus: VUS, duration: DURATION },
  },
  thresholds: {
    'http_req_failed{name:submit}': ['rate<0.001'],
    'http_req_duration{name:submit}': ['p(99)<=15'],
    submissions_accepted: ['rate>=3000'],
  },
};

export function setup(): { assignmentId: string } {
  return { assignmentId: firstAssignment().id };
}

export default function (data: { assignmentId: string }): void {
  newStudent();
  const response = submit(data.assignmentId, distinctSolution(`${__VU}-${__ITER}-${Date.now()}`));
  const ok = check(response, { 'accepted (202)': (r) => r.status === 202 || r.status === 200 });
  if (ok) accepted.add(1);
}

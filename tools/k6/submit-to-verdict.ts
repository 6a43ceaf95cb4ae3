// docs/PERFORMANCE.md: submit → verdict at the client at 20 submissions/s: p50 ≤ 30 ms, p99 ≤ 100 ms, and
// an identical resubmission is answered from the first verdict without a sandbox run.
// Latency is measured by polling GET /api/submissions/:id (k6 has no EventSource); the poll
// interval (POLL_MS, default 5 ms) bounds the error of each sample.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  BASE_URL,
  DURATION,
  FINAL,
  distinctSolution,
  firstAssignment,
  json,
  newStudent,
  submit,
} from './lib/koodi.ts';
import type { SubmissionView } from './lib/koodi.ts';

const verdictMs = new Trend('submit_to_verdict', true);
const passed = new Rate('verdict_passed');
const dedupeInstant = new Rate('dedupe_verdict_in_post');
const POLL_S = Number(__ENV.POLL_MS || 5) / 1000;

export const options: Options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate: Number(__ENV.RATE || 20),
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: 40,
      maxVUs: 200,
    },
  },
  thresholds: {
    submit_to_verdict: ['p(50)<=30', 'p(99)<=100'],
    verdict_passed: ['rate>0.999'],
    dedupe_verdict_in_post: ['rate>0.99'],
  },
};

export function setup(): { assignmentId: string } {
  return { assignmentId: firstAssignment().id };
}

function awaitVerdict(id: string, started: number): SubmissionView | null {
  for (let i = 0; i < 2000; i++) {
    const response = http.get(`${BASE_URL}/api/submissions/${id}`, { tags: { name: 'poll' } });
    if (response.status === 200) {
      const view = json<SubmissionView>(response);
      if (FINAL.includes(view.status)) {
        verdictMs.add(Date.now() - started);
        return view;
      }
    }
    sleep(POLL_S);
  }
  return null;
}

export default function (data: { assignmentId: string }): void {
  newStudent();
  const code = distinctSolution(`${__VU}-${__ITER}-${Date.now()}`);
  const started = Date.now();
  const response = submit(data.assignmentId, code);
  if (!check(response, { accepted: (r) => r.status === 202 || r.status === 200 })) return;
  const view = awaitVerdict(json<SubmissionView>(response).id, started);
  passed.add(view?.status === 'passed');

  // The same code again, from another student: the final verdict is reused, no regrade.
  newStudent();
  const again = submit(data.assignmentId, code);
  dedupeInstant.add(again.status === 200 && FINAL.includes(json<SubmissionView>(again).status));
}

// docs/PERFORMANCE.md: GET /api/assignments (cached) through NGINX, 10 connections: ≥ 10,000 req/s, p99 ≤ 5 ms.
import http from 'k6/http';
import { check } from 'k6';
import type { Options } from 'k6/options';
import { BASE_URL, DURATION, VUS } from './lib/koodi.ts';

export const options: Options = {
  scenarios: {
    warmup: {
      executor: 'constant-vus',
      vus: VUS,
      duration: '5s',
      gracefulStop: '0s',
      tags: { phase: 'warmup' },
    },
    assignments: {
      executor: 'constant-vus',
      vus: VUS,
      duration: DURATION,
      startTime: '5s',
      tags: { phase: 'measure' },
    },
  },
  thresholds: {
    'http_req_failed{phase:measure}': ['rate<0.001'],
    'http_req_duration{phase:measure}': ['p(99)<=5'],
    'http_reqs{phase:measure}': ['rate>=10000'],
  },
  discardResponseBodies: true,
};

// The list is public and the same for everyone: no cookie, answered from NGINX's cache.
export default function (): void {
  const response = http.get(`${BASE_URL}/api/assignments`);
  check(response, { 'status 200': (r) => r.status === 200 });
}

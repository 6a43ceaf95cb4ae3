// docs/PERFORMANCE.md: GET / (static page through NGINX, compressed), 10 connections: ≥ 30,000 req/s, p99 ≤ 2 ms.
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
    page: {
      executor: 'constant-vus',
      vus: VUS,
      duration: DURATION,
      startTime: '5s',
      tags: { phase: 'measure' },
    },
  },
  thresholds: {
    'http_req_failed{phase:measure}': ['rate<0.001'],
    'http_req_duration{phase:measure}': ['p(99)<=2'],
    'http_reqs{phase:measure}': ['rate>=30000'],
  },
  discardResponseBodies: true,
};

export default function (): void {
  const response = http.get(`${BASE_URL}/`, { headers: { 'accept-encoding': 'gzip, br' } });
  check(response, {
    'status 200': (r) => r.status === 200,
    compressed: (r) => r.headers['Content-Encoding'] === 'gzip',
  });
}

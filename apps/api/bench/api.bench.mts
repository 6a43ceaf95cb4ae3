// Load test of one running API replica with autocannon (127.0.0.1 only):
//   node apps/api/bench/api.bench.mts [--url http://127.0.0.1:3000] [--seconds 10] [--connections 10]
//     [--cookie koodi_id|__Host-koodi_id] [--only get|post]
// Needs DATABASE_URL (to create the students up front) and COOKIE_SECRET when the API has one.
// Run the API with RATE_LIMIT_IP_PER_MINUTE=0: every request comes from one address here.
import { createHmac, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const url = arg('url', 'http://127.0.0.1:3000');
if (!/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url))
  throw new Error('load tests talk to 127.0.0.1 only');
const seconds = Number(arg('seconds', '10'));
const connections = Number(arg('connections', '10'));
const secret = process.env.COOKIE_SECRET || 'koodi-development-cookie-secret-not-for-production';
const cookieName = arg('cookie', 'koodi_id');
const only = arg('only', 'all');
const sign = (value: string) =>
  `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;

async function run(title: string, options: autocannon.Options) {
  const result = await autocannon({ duration: seconds, connections, ...options });
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
  console.log(
    `${title.padEnd(34)} ${String(result.requests.total).padStart(7)} req  ${String(Math.round(result.requests.average)).padStart(6)} req/s` +
      `  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  errors ${result.errors + result.non2xx}  [${statuses}]`,
  );
  return result;
}

const list = (await (await fetch(`${url}/api/assignments`)).json()) as Array<{ id: string }>;
if (list.length === 0) throw new Error('no assignments: run npm run content:sync first');
const assignmentId = list[0].id;

// Warm-up, then the cached read.
if (only !== 'post') {
  await autocannon({ url: `${url}/api/assignments`, duration: 2, connections });
  await run('GET /api/assignments (cached)', { url: `${url}/api/assignments` });
  await run(`GET /api/assignments/:id (cached)`, { url: `${url}/api/assignments/${assignmentId}` });
}
if (only === 'get') process.exit(0);

// Accepted submissions: one fresh student per request (a student may have one in flight).
const students = Math.ceil(seconds * 6000) + 2000;
const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
await db.connect();
const { rows } = await db.query<{ id: string }>(
  'INSERT INTO users SELECT FROM generate_series(1, $1) RETURNING id',
  [students],
);
await db.end();
const cookies = rows.map((row) => `${cookieName}=${encodeURIComponent(sign(row.id))}`);
let next = 0;
await run('POST submission (distinct, accepted)', {
  url: `${url}/api/assignments/${assignmentId}/submissions`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, cookie: cookies[next++ % cookies.length] },
        body: JSON.stringify({ code: `def hello():\n    return "Hello"  # ${randomUUID()}\n` }),
      }),
    },
  ],
});
console.log(`(students used: ${Math.min(next, cookies.length)} of ${cookies.length})`);

// Runs the real NGINX on infra/nginx/nginx.dev.conf, rendered by tools/stack exactly as `npm start`
// and `npm test` run it, in front of two stand-in API replicas (child processes) and a small
// static site, all on 127.0.0.1; and checks infra/nginx/nginx.prod.conf, the web image's. Covers docs/SECURITY.md cases 24, 26,
// 28 (headers) and 29 (413 at NGINX) for the proxy layer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { freePort } from '../stack/processes.ts';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { renderNginxConfig } from '../stack/stack.ts';
import {
  certificateFromSecretsTool,
  prodConfigPath,
  renderLocalProdNginxConfig,
  repoRoot,
} from './nginx-config.ts';

const here = dirname(fileURLToPath(import.meta.url));
const standInScript = join(here, 'fixtures', 'api-stand-in.ts');
const devConfigPath = join(repoRoot, 'infra', 'nginx', 'nginx.dev.conf');

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Ask {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  localAddress?: string;
  agent?: Agent;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function findNginx(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'nginx');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'nginx is not installed (Debian: apt-get install nginx); this test needs the real server',
  );
}

function parseJson(reply: Reply): { error?: { code?: string; message?: string } } {
  return JSON.parse(reply.body.toString('utf8')) as { error?: { code?: string; message?: string } };
}

describe('NGINX of the local stack (infra/nginx/nginx.dev.conf)', () => {
  const nginxBin = findNginx();
  let workDir = '';
  let port = 0;
  let nginx: ChildProcess | undefined;
  const replicas: { name: string; child: ChildProcess; port: number; recordFile: string }[] = [];

  function ask(options: Ask): Promise<Reply> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: options.method ?? 'GET',
          path: options.path,
          headers: options.headers,
          localAddress: options.localAddress,
          agent: options.agent ?? false,
          timeout: 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            settled = true;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`timed out: ${options.method ?? 'GET'} ${options.path}`)),
      );
      // NGINX may answer (413) and close before the whole body is written; the answer counts.
      req.on('error', (error) => {
        if (!settled) reject(error);
      });
      req.end(options.body);
    });
  }

  async function startReplica(name: string): Promise<void> {
    const recordFile = join(workDir, `${name}.posts`);
    await writeFile(recordFile, '');
    const child = spawn(process.execPath, [standInScript, name, recordFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const replicaPort = await new Promise<number>((resolve, reject) => {
      let seen = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /listening (\d+)/.exec(seen);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`stand-in ${name} exited early (${code})`)));
    });
    replicas.push({ name, child, port: replicaPort, recordFile });
  }

  async function writeSite(webRoot: string): Promise<void> {
    const page = (title: string) =>
      `<!doctype html><html><head><title>${title}</title></head><body>${'<p>Koodi</p>'.repeat(80)}</body></html>\n`;
    await mkdir(join(webRoot, '_astro'), { recursive: true });
    await mkdir(join(webRoot, 'assignments', 'hello'), { recursive: true });
    await writeFile(join(webRoot, 'index.html'), page('home'));
    // The .gz differs from a fresh compression on purpose: seeing it proves gzip_static served it.
    await writeFile(
      join(webRoot, 'index.html.gz'),
      gzipSync(`<!-- precompressed -->${page('home')}`),
    );
    await writeFile(join(webRoot, 'assignments', 'hello', 'index.html'), page('hello'));
    await writeFile(join(webRoot, '404.html'), page('not found'));
    await writeFile(
      join(webRoot, '_astro', 'island.3f9a1c2b.js'),
      'export const island = 1;\n'.repeat(40),
    );
  }

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'koodi-nginx-'));
    const prefix = join(workDir, 'nginx');
    const webRoot = join(workDir, 'web');
    // NGINX creates its temporary folders but not their parent.
    await mkdir(join(prefix, 'tmp'), { recursive: true });
    await writeSite(webRoot);
    // Run as root, NGINX workers drop to `nobody`: they must be able to read the site.
    await chmod(workDir, 0o755);
    await chmod(prefix, 0o755);

    await startReplica('replica-a');
    await startReplica('replica-b');
    port = await freePort();
    const configFile = renderNginxConfig({
      dir: prefix,
      port,
      listenAddress: '127.0.0.1',
      apiPorts: replicas.map((replica) => replica.port),
      webRoot,
    });

    const check = spawnSync(
      nginxBin,
      ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', configFile, '-t'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(check.status, 0, `nginx -t failed:\n${check.stderr}`);

    nginx = spawn(
      nginxBin,
      ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', configFile, '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    for (let attempt = 0; ; attempt++) {
      try {
        await ask({ path: '/' });
        break;
      } catch (error) {
        if (attempt > 100 || nginx.exitCode !== null) throw error;
        await wait(100);
      }
    }
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      await Promise.race([exited, wait(5000)]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    for (const replica of replicas)
      if (replica.child.exitCode === null) replica.child.kill('SIGKILL');
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('serves the precompressed page with gzip_static and revalidates pages', async () => {
    const reply = await ask({ path: '/', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], 'gzip');
    assert.match(String(reply.headers['vary']), /Accept-Encoding/i);
    assert.equal(reply.headers['cache-control'], 'no-cache');
    assert.match(gunzipSync(reply.body).toString(), /^<!-- precompressed -->/);

    const plain = await ask({ path: '/' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.body.toString(), /^<!doctype html>/);
  });

  it('serves folder pages and answers unknown paths with the 404 page', async () => {
    const page = await ask({ path: '/assignments/hello/' });
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<title>hello<\/title>/);

    const missing = await ask({ path: '/no/such/page' });
    assert.equal(missing.status, 404);
    assert.match(missing.body.toString(), /<title>not found<\/title>/);
    assert.equal(missing.headers['x-content-type-options'], 'nosniff');
  });

  it('caches hashed assets under /_astro/ for a year as immutable', async () => {
    const asset = await ask({ path: '/_astro/island.3f9a1c2b.js' });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.equal((await ask({ path: '/_astro/missing.0000.js' })).status, 404);
  });

  it('sends the security headers on pages and API answers', async () => {
    for (const path of ['/', '/api/assignments']) {
      const reply = await ask({ path });
      assert.equal(reply.status, 200, path);
      const csp = String(reply.headers['content-security-policy']);
      // Pages get the page policy; API answers the API's own, stricter one.
      const parts = path.startsWith('/api/')
        ? ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]
        : [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
          ];
      for (const part of parts) {
        assert.ok(csp.includes(part), `${path}: CSP lacks ${part}: ${csp}`);
      }
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      assert.equal(reply.headers['referrer-policy'], 'same-origin');
      assert.equal(reply.headers['x-frame-options'], 'DENY');
      assert.equal(reply.headers['server'], 'nginx');
    }
    const api = await ask({ path: '/api/me' });
    assert.equal(api.headers['cache-control'], undefined, 'the API decides its own caching');
    const list = await ask({ path: '/api/assignments' });
    assert.equal(list.headers['cache-control'], 'public, max-age=1, stale-while-revalidate=5');
    assert.equal(api.headers['x-cache-status'], undefined, 'only the list is cached');
  });

  /** What reached the stand-ins' list route, summed over the live ones. */
  async function listRequests(): Promise<{ full: number; notModified: number }> {
    const total = { full: 0, notModified: 0 };
    for (const replica of replicas) {
      if (replica.child.exitCode !== null || replica.child.signalCode !== null) continue;
      const response = await fetch(`http://127.0.0.1:${replica.port}/stand-in/list`);
      const counts = (await response.json()) as { full: number; notModified: number };
      total.full += counts.full;
      total.notModified += counts.notModified;
    }
    return total;
  }

  async function changeList(): Promise<void> {
    for (const replica of replicas)
      await fetch(`http://127.0.0.1:${replica.port}/stand-in/list`, { method: 'POST' });
  }

  it('caches GET /api/assignments for everyone, cookie or not, and revalidates it with the ETag', async () => {
    // Until NGINX holds a fresh copy (a previous test may have left an expired one).
    let first = await ask({ path: '/api/assignments' });
    for (let attempt = 0; first.headers['x-cache-status'] !== 'HIT' && attempt < 40; attempt++) {
      await wait(25);
      first = await ask({ path: '/api/assignments' });
    }
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-cache-status'], 'HIT');
    const before = await listRequests();
    const answers: Reply[] = [];
    const asks: Record<string, string>[] = [
      {},
      { cookie: 'koodi_id=student-a.signature' },
      { cookie: 'koodi_id=student-b.signature', 'accept-encoding': 'gzip' },
      {},
    ];
    for (const headers of asks)
      answers.push(await ask({ path: '/api/assignments?any=query', headers }));
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['x-cache-status'], 'HIT');
      assert.equal(answer.headers['etag'], first.headers['etag']);
      assert.equal(answer.headers['set-cookie'], undefined);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', 'headers on a HIT');
    }
    assert.deepEqual(
      answers.map((answer) =>
        (answer.headers['content-encoding'] === 'gzip'
          ? gunzipSync(answer.body)
          : answer.body
        ).toString(),
      ),
      answers.map(() => first.body.toString()),
    );
    assert.deepEqual(await listRequests(), before, 'no cache HIT reached an API replica');
    // Other API paths are never cached: each one reaches a replica.
    assert.equal(
      (await ask({ path: '/api/assignments/hello' })).headers['x-cache-status'],
      undefined,
    );

    // Past max-age (1 s here; NGINX counts whole seconds, so up to 2 s) NGINX asks again with
    // If-None-Match, answering with its copy meanwhile; the 304 makes that copy fresh again.
    const statuses: string[] = [];
    let revalidated: Reply | undefined;
    for (const startedAt = Date.now(); !revalidated && Date.now() - startedAt < 4000;) {
      await wait(50);
      const answer = await ask({ path: '/api/assignments' });
      const status = String(answer.headers['x-cache-status']);
      if (status === 'HIT' && statuses.some((seen) => seen !== 'HIT')) revalidated = answer;
      statuses.push(status);
    }
    assert.ok(revalidated, `the cache was refreshed: ${statuses.join(' ')}`);
    assert.equal(revalidated.body.toString(), first.body.toString());
    const after = await listRequests();
    assert.equal(after.full, before.full, 'revalidation sent no full answer');
    assert.ok(after.notModified > before.notModified, 'NGINX revalidated with the ETag');
  });

  it('shows a changed list within its max-age, and keeps it for a client that has it (304)', async () => {
    const old = await ask({ path: '/api/assignments' });
    const oldTitle = (JSON.parse(old.body.toString()) as { title: string }[])[0].title;
    const cached = await ask({
      path: '/api/assignments',
      headers: { 'if-none-match': String(old.headers['etag']) },
    });
    assert.equal(cached.status, 304, 'NGINX answers a client that has the current copy');
    await changeList();
    const changedAt = Date.now();
    let title = oldTitle;
    while (title === oldTitle && Date.now() - changedAt < 5000) {
      await wait(50);
      const answer = await ask({ path: '/api/assignments' });
      title = (JSON.parse(answer.body.toString()) as { title: string }[])[0].title;
    }
    const took = Date.now() - changedAt;
    assert.notEqual(title, oldTitle, 'the new list shows');
    // max-age=1 (up to 2 s, counted in whole seconds) plus the revalidation itself.
    assert.ok(took < 3000, `the new list took ${took} ms to show`);
  });

  it('answers an oversized body with 413 JSON and passes a large legal one through', async () => {
    const tooLarge = await ask({
      method: 'POST',
      path: '/api/assignments/a1/submissions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), code: 'x'.repeat(300 * 1024) }),
      localAddress: '127.0.0.4',
    });
    assert.equal(tooLarge.status, 413);
    assert.match(String(tooLarge.headers['content-type']), /application\/json/);
    assert.equal(parseJson(tooLarge).error?.code, 'payload_too_large');
    assert.equal(tooLarge.headers['x-content-type-options'], 'nosniff');

    // 64 KB of newlines is legal code that JSON escaping doubles to 128 KB.
    const id = randomUUID();
    const legal = await ask({
      method: 'POST',
      path: '/api/assignments/a1/submissions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, code: '\n'.repeat(64 * 1024) }),
      localAddress: '127.0.0.4',
    });
    assert.equal(legal.status, 202);
  });

  it('answers a submission flood from one address with 429 JSON, leaving other addresses alone', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const statuses = new Map<number, number>();
    let rejected: Reply | undefined;
    try {
      let next = 0;
      const total = 800;
      const worker = async () => {
        while (next < total) {
          next++;
          const reply = await ask({
            method: 'POST',
            path: '/api/assignments/a1/submissions',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id: randomUUID(), code: 'print(1)' }),
            localAddress: '127.0.0.2',
            agent,
          });
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 429) rejected ??= reply;
        }
      };
      await Promise.all(Array.from({ length: 50 }, worker));
    } finally {
      agent.destroy();
    }
    assert.deepEqual(
      [...statuses.keys()].sort(),
      [202, 429],
      `statuses: ${JSON.stringify([...statuses])}`,
    );
    assert.ok((statuses.get(202) ?? 0) >= 300, 'the burst of a whole classroom is let through');
    assert.ok(rejected);
    assert.equal(parseJson(rejected).error?.code, 'rate_limited');
    assert.equal(rejected.headers['retry-after'], '1');

    const history = await ask({
      path: '/api/assignments/a1/submissions',
      localAddress: '127.0.0.2',
    });
    assert.equal(history.status, 200, 'GETs on the same path are not limited');
    const other = await ask({
      method: 'POST',
      path: '/api/assignments/a1/submissions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID(), code: 'print(2)' }),
      localAddress: '127.0.0.3',
    });
    assert.equal(other.status, 202, 'another address is unaffected');
  });

  it('passes Server-Sent Events through unbuffered and uncompressed', async () => {
    const first = await new Promise<{ headers: IncomingHttpHeaders; chunk: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/submissions/s1/events?holdMs=5000',
            headers: { accept: 'text/event-stream', 'accept-encoding': 'gzip' },
            timeout: 15_000,
          },
          (res) => {
            res.once('data', (chunk: Buffer) => {
              resolve({ headers: res.headers, chunk: chunk.toString('utf8') });
              req.destroy();
            });
            res.once('end', () => reject(new Error('the stream ended before any event arrived')));
          },
        );
        req.on('timeout', () => req.destroy(new Error('no event within 15 s')));
        req.on('error', reject);
        req.end();
      },
    );
    assert.match(String(first.headers['content-type']), /text\/event-stream/);
    assert.equal(first.headers['content-encoding'], undefined);
    // The stand-in holds the stream open for 5 s after the first event; a buffering proxy
    // would deliver both events together at the end.
    assert.match(first.chunk, /"status":"queued"/);
    assert.doesNotMatch(first.chunk, /"status":"passed"/);
  });

  it('keeps reads whole and never sends a submission twice when a replica is killed (case 24)', async () => {
    const getAgent = new Agent({ keepAlive: true, maxSockets: 8 });
    const postAgent = new Agent({ keepAlive: true, maxSockets: 4 });
    let stop = false;
    const gets = { ok: 0, failed: [] as string[] };
    const posts = new Map<string, number | string>();

    const getWorker = async () => {
      while (!stop) {
        try {
          // Not the list: NGINX answers that from its cache without asking a replica.
          const reply = await ask({
            path: '/api/assignments/hello',
            headers: { 'x-stand-in-delay-ms': '5' },
            agent: getAgent,
          });
          if (reply.status === 200) gets.ok++;
          else gets.failed.push(`status ${reply.status}`);
        } catch (error) {
          gets.failed.push(String(error));
        }
      }
    };
    const postWorker = async () => {
      while (!stop) {
        const id = randomUUID();
        try {
          const reply = await ask({
            method: 'POST',
            path: '/api/assignments/a1/submissions',
            headers: { 'content-type': 'application/json', 'x-stand-in-delay-ms': '30' },
            body: JSON.stringify({ id, code: `print(${JSON.stringify(id)})` }),
            agent: postAgent,
          });
          posts.set(id, reply.status);
        } catch (error) {
          posts.set(id, String(error));
        }
        // Two workers at about 20 POSTs/s each stay under the flood guard (50/s).
        await wait(20);
      }
    };

    const victim = replicas[0];
    const load = Promise.all([...Array.from({ length: 4 }, getWorker), postWorker(), postWorker()]);
    try {
      await wait(1000);
      const exited = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill('SIGKILL');
      await exited;
      await wait(2000);
    } finally {
      stop = true;
      await load;
      getAgent.destroy();
      postAgent.destroy();
    }

    const seen = new Map<string, number>();
    const perReplica: Record<string, number> = {};
    for (const replica of replicas) {
      const ids = (await readFile(replica.recordFile, 'utf8')).split('\n').filter(Boolean);
      perReplica[replica.name] = ids.filter((id) => posts.has(id)).length;
      for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const statuses = [...posts.values()];
    const accepted = [...posts].filter(([, status]) => status === 202);
    const duplicated = [...posts.keys()].filter((id) => (seen.get(id) ?? 0) > 1);
    const summary = {
      gets: gets.ok,
      getFailures: gets.failed.length,
      posts: posts.size,
      accepted: accepted.length,
      notAccepted: statuses.filter((status) => status !== 202),
      perReplica,
      duplicated: duplicated.length,
    };
    console.log(`replica kill under load: ${JSON.stringify(summary)}`);

    assert.deepEqual(gets.failed.slice(0, 5), [], 'no GET fails while a replica dies');
    assert.ok(gets.ok > 50, 'the GET load actually ran');
    assert.deepEqual(duplicated, [], 'no submission reached two replicas');
    for (const [id] of accepted) assert.equal(seen.get(id), 1, `accepted ${id} was recorded once`);
    assert.ok(
      perReplica['replica-a'] > 0 && perReplica['replica-b'] > 0,
      'both replicas took POSTs',
    );
    // A POST cut off inside the dying replica is answered 502, never retried elsewhere.
    for (const status of summary.notAccepted) assert.equal(status, 502);
  });
});

describe('NGINX production config (infra/nginx/nginx.prod.conf)', () => {
  it('passes nginx -t (with the TLS server of Compose) and carries every header of the dev config plus HSTS', async () => {
    const nginxBin = findNginx();
    const workDir = await mkdtemp(join(tmpdir(), 'koodi-nginx-prod-'));
    try {
      const prod = await readFile(prodConfigPath, 'utf8');
      const dev = await readFile(devConfigPath, 'utf8');
      // Docker's DNS names do not resolve here: the upstream include points at a local address,
      // and the files Compose mounts (TLS server, certificate) are written beside it.
      assert.match(prod, /include \/etc\/nginx\/koodi\/api-upstream\.conf;/);
      const { cert, key } = await certificateFromSecretsTool(join(workDir, 'secrets'));
      const configFile = await renderLocalProdNginxConfig({
        dir: workDir,
        listenPort: 8080,
        apiAddresses: ['127.0.0.1:3000'],
        tls: { port: 8443, cert, key },
      });
      // /dev/stdout must be a file or pipe for NGINX to open it (the test runner's is a socket).
      const output = openSync(join(workDir, 'nginx-t.out'), 'w+');
      try {
        const check = spawnSync(
          nginxBin,
          ['-e', join(workDir, 'error.log'), '-c', configFile, '-t'],
          {
            stdio: ['ignore', output, output],
          },
        );
        assert.equal(
          check.status,
          0,
          `nginx -t failed:\n${await readFile(join(workDir, 'nginx-t.out'), 'utf8')}`,
        );
      } finally {
        closeSync(output);
      }

      const headerLines = (text: string) =>
        text
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line.startsWith('add_header '));
      for (const line of headerLines(dev))
        assert.ok(headerLines(prod).includes(line), `prod lacks: ${line}`);
      assert.ok(
        headerLines(prod).some((line) => line.startsWith('add_header Strict-Transport-Security ')),
      );
      assert.doesNotMatch(prod, /\{\{\w+\}\}/, 'no template placeholders in production');
      for (const needle of [
        'proxy_next_upstream error timeout http_502 http_503;',
        'limit_req zone=submissions burst=300 nodelay;',
        'proxy_buffering off;',
        'gzip_static on;',
        'listen 8080',
        // The course list cached the same way as in the local stack (tested above).
        'location = /api/assignments {',
        'proxy_cache assignment_list;',
        'proxy_cache_key $uri;',
        'proxy_cache_revalidate on;',
        'proxy_cache_lock on;',
        'proxy_cache_use_stale updating error timeout',
        // k6 in the web container's network namespace (CI) measures the API, not the guard.
        '127.0.0.1 1;',
      ]) {
        assert.ok(prod.includes(needle), `prod lacks: ${needle}`);
      }
      for (const text of [prod, dev])
        assert.doesNotMatch(text, /^\s*proxy_next_upstream [^;#]*non_idempotent/m);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});

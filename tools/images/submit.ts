// Talks to a running stack through NGINX the way a browser does: picks up the identity cookie,
// submits the reference solution of the first assignment and a starter that must fail, and
// polls until both are graded.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './exec.ts';

interface Assignment {
  id: string;
  slug: string;
  position: number;
}

interface Submission {
  id: string;
  status: string;
  verdict: string | null;
  summary?: string | null;
}

class Browser {
  private readonly cookies = new Map<string, string>();
  private readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(new URL(path, this.base), {
      ...init,
      headers,
      signal: AbortSignal.timeout(15_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  }

  async json<T>(path: string, init: RequestInit = {}, expected: number[] = [200]): Promise<T> {
    const response = await this.request(path, init);
    const text = await response.text();
    if (!expected.includes(response.status)) {
      throw new Error(
        `${init.method ?? 'GET'} ${path} answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
    return JSON.parse(text) as T;
  }
}

function contentFolder(slug: string): string {
  const dir = join(ROOT, 'content');
  const folder = readdirSync(dir).find((name) => name.replace(/^\d+-/, '') === slug);
  if (!folder) throw new Error(`content/ has no folder for assignment ${slug}`);
  return join(dir, folder);
}

async function gradeOne(
  browser: Browser,
  assignment: Assignment,
  code: string,
): Promise<Submission> {
  const accepted = await browser.json<Submission>(
    `/api/assignments/${encodeURIComponent(assignment.id)}/submissions`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    },
    [200, 201, 202],
  );
  const deadline = Date.now() + 90_000;
  for (;;) {
    const view = await browser.json<Submission>(
      `/api/submissions/${encodeURIComponent(accepted.id)}`,
    );
    if (['passed', 'failed', 'error'].includes(view.status)) return view;
    if (Date.now() > deadline)
      throw new Error(`submission ${accepted.id} still ${view.status} after 90 s`);
    await sleep(200);
  }
}

export async function submitAndGrade(base: string): Promise<string> {
  const browser = new Browser(base);
  const page = await browser.request('/');
  if (page.status !== 200) throw new Error(`GET / answered ${page.status}`);
  if (!page.headers.get('content-security-policy'))
    throw new Error('GET / has no Content-Security-Policy');
  await page.arrayBuffer();

  await browser.json('/api/me');
  const assignments = await browser.json<Assignment[] | { items: Assignment[] }>(
    '/api/assignments',
  );
  const list = Array.isArray(assignments) ? assignments : assignments.items;
  if (!list?.length) throw new Error('no assignments: did the content sync run?');
  const first = [...list].sort((a, b) => a.position - b.position)[0];
  const folder = contentFolder(first.slug);

  const started = performance.now();
  const good = await gradeOne(browser, first, readFileSync(join(folder, 'solution.py'), 'utf8'));
  const goodMs = performance.now() - started;
  if (good.status !== 'passed')
    throw new Error(
      `the reference solution of ${first.slug} ended ${good.status} (${good.verdict}): ${good.summary}`,
    );

  const starterFile = join(folder, 'starter.py');
  let starterNote = '';
  if (existsSync(starterFile)) {
    const bad = await gradeOne(browser, first, readFileSync(starterFile, 'utf8'));
    if (bad.status !== 'failed')
      throw new Error(
        `the starter of ${first.slug} ended ${bad.status} (${bad.verdict}), expected failed`,
      );
    starterNote = `, starter failed (${bad.verdict})`;
  }
  return `${first.slug}: solution passed in ${Math.round(goodMs)} ms${starterNote}`;
}

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { apiRoutes, type SubmissionView } from '@koodi/contracts';
import { AssignmentRepository, createDataSource } from '@koodi/db';
import { freePort } from '@koodi/queue/testing';
import type { DataSource } from 'typeorm';
import { assignmentContent, eventually, Student } from './testing/api-harness';
import { SseClient } from './testing/sse-client';

/** docs/SECURITY.md case 23: SIGTERM to a running API process. */
describe('graceful shutdown (case 23)', () => {
  let dataSource: DataSource;
  let child: ChildProcess;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let url: string;
  let output = '';

  before(async () => {
    dataSource = await createDataSource({
      url: process.env['DATABASE_URL']!,
      poolSize: 1,
    }).initialize();
    const [port, opsPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [join(__dirname, 'main.js')], {
      env: {
        ...process.env,
        API_PORT: String(port),
        OPS_PORT: String(opsPort),
        GRADING_QUEUE: `test:api:${randomUUID().slice(0, 8)}:queue`,
        RECONCILE_INTERVAL_SECONDS: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await eventually(async () => {
      try {
        return (await fetch(url + apiRoutes.health())).status === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    }, 20_000);
  });
  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dataSource.destroy();
  });

  it('finishes the request in flight, ends event streams with a comment, and exits 0', async () => {
    const content = assignmentContent();
    await new AssignmentRepository(dataSource).upsertBySlug(content);

    const watcher = new Student(url);
    const submitted = (await watcher.submit(content.slug, { code: `x = "${randomUUID()}"` }))
      .body as SubmissionView;
    const stream = new SseClient(
      url + apiRoutes.submissionEvents(submitted.id),
      watcher.cookieHeader,
    );
    await stream.until(() => stream.events.length >= 1);

    // A POST whose body is still arriving when SIGTERM comes.
    const slow = new Student(url);
    await slow.me();
    const body = JSON.stringify({ code: `y = "${randomUUID()}"` });
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url + apiRoutes.submissions(content.slug),
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            cookie: slow.cookieHeader!,
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(5)), 300);
      }, 100);
    });

    const answer = await inFlight;
    assert.equal(answer.status, 202, answer.text);
    assert.equal((JSON.parse(answer.text) as SubmissionView).status, 'queued');

    await stream.ended;
    assert.ok(
      stream.comments.some((comment) => comment.includes('shutting down')),
      JSON.stringify(stream.comments),
    );

    const { code, signal } = await exit;
    assert.equal(signal, null, output);
    assert.equal(code, 0, output);
    await assert.rejects(fetch(url + apiRoutes.health()));
  });
});

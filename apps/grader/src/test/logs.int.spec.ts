import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { killGraderProcess, startGraderProcess } from './grader.process';
import { uniqueQueue } from './grading.fixtures';

describe('the grader process logs', () => {
  it('writes only JSON lines with the API’s fields, at the level LOG_LEVEL names', async () => {
    const grader = await startGraderProcess({
      GRADING_QUEUE: uniqueQueue('logs'),
      LOG_LEVEL: 'info',
      GRADER_ID: 'logs-test',
    });
    try {
      grader.child.kill('SIGTERM');
      assert.deepEqual(await grader.exited, { code: 0, signal: null });
    } finally {
      await killGraderProcess(grader);
    }

    const lines = grader
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '');
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line: ${line}`);
      }
    });
    assert.ok(parsed.length >= 3, grader.output());
    for (const line of parsed) {
      assert.equal(typeof line['level'], 'number');
      assert.ok(Number(line['level']) >= 30, `nothing below info: ${JSON.stringify(line)}`);
      assert.equal(typeof line['time'], 'number');
      assert.equal(typeof line['msg'], 'string');
      assert.match(String(line['consumer']), /^logs-test-[0-9a-f]{6}$/);
    }
    const started = parsed.find((line) => String(line['msg']).includes('taking jobs from'));
    assert.equal(started?.['context'], 'Grader');
    assert.ok(parsed.some((line) => line['msg'] === 'Stopped'));
  });

  it('reports a bad configuration as one JSON line naming every problem', async () => {
    await assert.rejects(
      startGraderProcess({ LOG_LEVEL: 'loud', GRADER_SLOTS: 'many' }, 10_000),
      (error: Error) => {
        const line = error.message.split('\n').find((l) => l.startsWith('{'));
        assert.ok(line, error.message);
        const parsed = JSON.parse(line) as { level: number; problems: string[] };
        assert.equal(parsed.level, 60);
        assert.equal(parsed.problems.length, 2);
        return true;
      },
    );
  });
});

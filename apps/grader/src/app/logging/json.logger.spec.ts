import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { LogLevel } from '@koodi/contracts';
import { JsonLogger } from './json.logger';

/** A logger writing into an array of parsed lines. */
function capture(level: LogLevel = 'info', fields: Record<string, unknown> = {}) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { sut: JsonLogger.create(level, fields, sink), lines };
}

describe(JsonLogger.name, () => {
  it('writes one JSON object per line with the API’s fields', () => {
    const { sut, lines } = capture('info', { consumer: 'grader-a-1f2e3d' });
    sut.log('Stopped', 'Grader');

    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line['level'], 30);
    assert.equal(typeof line['time'], 'number');
    assert.equal(line['pid'], process.pid);
    assert.equal(line['msg'], 'Stopped');
    assert.equal(line['context'], 'Grader');
    assert.equal(line['consumer'], 'grader-a-1f2e3d');
  });

  it('keeps the ids a line is about as fields of their own', () => {
    const { sut, lines } = capture();
    sut.warn({ submissionId: 'f1b0', msg: 'Sandbox failed' }, 'GradingService');

    assert.deepEqual(
      {
        level: lines[0]['level'],
        msg: lines[0]['msg'],
        submissionId: lines[0]['submissionId'],
        context: lines[0]['context'],
      },
      { level: 40, msg: 'Sandbox failed', submissionId: 'f1b0', context: 'GradingService' },
    );
  });

  it('records Nest’s (message, stack, context) errors with the stack', () => {
    const { sut, lines } = capture();
    sut.error('Redis list transport failed', 'Error: boom\n    at x', 'RedisListServer');

    assert.equal(lines[0]['level'], 50);
    assert.equal(lines[0]['context'], 'RedisListServer');
    assert.match(String(lines[0]['stack']), /^Error: boom/);
  });

  it('serializes an Error given as the message', () => {
    const { sut, lines } = capture();
    sut.error(new Error('lost the connection'));

    assert.equal(lines[0]['msg'], 'lost the connection');
    assert.match(String((lines[0]['err'] as { stack: string }).stack), /lost the connection/);
  });

  it('prints only the chosen level and above', () => {
    const { sut, lines } = capture('warn');
    sut.debug('not shown');
    sut.log('not shown either');
    sut.verbose('nor this');
    sut.warn('shown');
    sut.fatal('and this');

    assert.deepEqual(
      lines.map((l) => l['msg']),
      ['shown', 'and this'],
    );
  });

  it('writes nothing when silent', () => {
    const { sut, lines } = capture('silent');
    sut.error('quiet');
    assert.equal(lines.length, 0);
  });
});

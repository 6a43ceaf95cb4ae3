import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTransientDatabaseError, retryTransient } from './transient-retry';

const policy = { attempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

describe('isTransientDatabaseError', () => {
  for (const [what, error] of [
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'a terminated backend',
      { driverError: Object.assign(new Error('terminating connection'), { code: '57P01' }) },
    ],
    [
      'a server starting up',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
  ] as const) {
    it(`treats ${what} as transient`, () => assert.equal(isTransientDatabaseError(error), true));
  }

  for (const [what, error] of [
    [
      'a constraint violation',
      Object.assign(new Error('violates check constraint'), { code: '23514' }),
    ],
    [
      'malformed input',
      {
        driverError: Object.assign(new Error('invalid input syntax for type uuid'), {
          code: '22P02',
        }),
      },
    ],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a non-error', null],
  ] as const) {
    it(`treats ${what} as permanent`, () => assert.equal(isTransientDatabaseError(error), false));
  }
});

describe('retryTransient', () => {
  it('returns the first success after transient failures', async () => {
    let calls = 0;
    const retries: number[] = [];
    const sut = await retryTransient(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('Connection terminated unexpectedly');
        return 'done';
      },
      policy,
      (_error, attempt) => retries.push(attempt),
    );
    assert.equal(sut, 'done');
    assert.deepEqual(retries, [1, 2]);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await assert.rejects(
      retryTransient(async () => {
        calls += 1;
        throw new Error(`Connection terminated unexpectedly #${calls}`);
      }, policy),
      /#3$/,
    );
    assert.equal(calls, 3);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    await assert.rejects(
      retryTransient(async () => {
        calls += 1;
        throw new TypeError('bug');
      }, policy),
      TypeError,
    );
    assert.equal(calls, 1);
  });
});

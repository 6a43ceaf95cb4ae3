import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HintRepositoryFake } from '@koodi/db/testing';
import type { AssignmentsService } from '../assignments/assignments.service';
import { ApiError } from '../http/api-error';
import type { Identity } from '../identity/identity';
import { HintsService } from './hints.service';

describe(HintsService.name, () => {
  const assignments = {
    find: async (idOrSlug: string) => {
      if (idOrSlug !== 'sum') throw ApiError.notFound('The assignment');
      return { data: { id: 'a-1' } };
    },
  } as unknown as AssignmentsService;
  const identity = (userId: string): Identity => ({
    userId,
    checkAddress: () => undefined,
    ensure: async () => userId,
    renew: async () => userId,
  });
  const setup = () => {
    const repository = new HintRepositoryFake();
    repository.hints.set('a-1', [
      { text: 'One.', afterFailures: 0 },
      { text: 'Two.', afterFailures: 1 },
    ]);
    return { repository, sut: new HintsService(assignments, repository) };
  };

  it('reveals the next hint, and only once for a repeated number', async () => {
    const { repository, sut } = setup();

    await sut.reveal(identity('u1'), 'sum', 1);
    const again = await sut.reveal(identity('u1'), 'sum', 1);

    assert.deepEqual(again.revealed, [{ number: 1, text: 'One.' }]);
    assert.deepEqual(again.next, { number: 2, failuresNeeded: 1 });
    assert.equal(await repository.revealedCount('u1', 'a-1'), 1);
  });

  it('holds a hint back until the failures, then reveals it', async () => {
    const { repository, sut } = setup();
    await sut.reveal(identity('u1'), 'sum');

    await assert.rejects(sut.reveal(identity('u1'), 'sum'), {
      status: 403,
      code: 'hint_held_back',
      details: { failuresNeeded: 1 },
    });
    repository.failures.set('u1/a-1', 1);
    assert.equal((await sut.reveal(identity('u1'), 'sum')).revealed.length, 2);
    assert.equal((await sut.list('u2', 'sum')).revealed.length, 0);
  });

  it('lists nothing without an identity and answers 404 for an unknown assignment', async () => {
    const { sut } = setup();

    assert.deepEqual(await sut.list(null, 'sum'), {
      total: 2,
      revealed: [],
      next: { number: 1, failuresNeeded: 0 },
    });
    await assert.rejects(sut.list(null, 'nope'), { status: 404 });
  });
});

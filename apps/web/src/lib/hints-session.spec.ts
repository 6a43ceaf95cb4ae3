import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HintsView } from '@koodi/contracts';
import { ApiError } from './api-error.ts';
import { HintsSession, type HintsSessionDeps } from './hints-session.svelte.ts';

const HINTS = ['Start small.', 'Loop.', 'Almost the answer.'];

/** An API that reveals in order and holds the third hint back until `failures` reaches 2. */
function harness(failures = 0) {
  let revealed = 0;
  const calls: string[] = [];
  const view = (): HintsView => ({
    total: HINTS.length,
    revealed: HINTS.slice(0, revealed).map((text, i) => ({ number: i + 1, text })),
    next:
      revealed < HINTS.length
        ? { number: revealed + 1, failuresNeeded: revealed === 2 ? Math.max(0, 2 - failures) : 0 }
        : null,
  });
  const deps: HintsSessionDeps = {
    api: {
      hints: async (id) => {
        calls.push(`GET ${id}`);
        return view();
      },
      revealHint: async (id, number) => {
        calls.push(`POST ${id} ${number}`);
        if (number <= revealed) return view();
        if (number === 3 && failures < 2) {
          throw new ApiError({
            status: 403,
            code: 'hint_held_back',
            message: 'Hint 3 opens after more failed submissions.',
            details: { failuresNeeded: 2 - failures },
          });
        }
        revealed = number;
        return view();
      },
    },
  };
  return { deps, calls, fail: () => (failures += 1) };
}

describe(HintsSession.name, () => {
  it('offers the first hint before anything is loaded, and reveals them in order', async () => {
    const h = harness();
    const sut = new HintsSession('a-1', 3, h.deps);
    assert.equal(sut.buttonLabel, 'Show a hint (1 of 3)');

    assert.equal(await sut.reveal(), true);
    assert.deepEqual(sut.revealed, [{ number: 1, text: 'Start small.' }]);
    assert.equal(sut.buttonLabel, 'Show a hint (2 of 3)');
    assert.equal(await sut.reveal(), true);

    assert.deepEqual(h.calls, ['POST a-1 1', 'POST a-1 2']);
    assert.equal(sut.revealed.length, 2);
  });

  it('asks for one hint on a double click', async () => {
    const h = harness();
    const sut = new HintsSession('a-1', 3, h.deps);

    const [first, second] = await Promise.all([sut.reveal(), sut.reveal()]);

    assert.deepEqual([first, second], [true, false]);
    assert.deepEqual(h.calls, ['POST a-1 1']);
  });

  it('says how many failed submissions the held-back hint waits for, and opens it after them', async () => {
    const h = harness();
    const sut = new HintsSession('a-1', 3, h.deps);
    await sut.reveal();
    await sut.reveal();

    assert.equal(sut.canReveal, false);
    assert.equal(
      sut.heldBack,
      'The next hint opens after 2 more failed submissions. Try it yourself first.',
    );
    h.fail();
    await sut.load();
    assert.match(sut.heldBack ?? '', /after 1 more failed submission\./);
    h.fail();
    await sut.load();
    assert.equal(sut.heldBack, null);
    assert.equal(await sut.reveal(), true);
    assert.equal(sut.revealed.length, 3);
    assert.equal(sut.nextNumber, null);
    assert.equal(sut.buttonLabel, '');
  });

  it('takes the hold-back from a refusal when the page had not heard of it', async () => {
    const h = harness();
    const sut = new HintsSession('a-1', 3, h.deps);
    await sut.reveal();
    await sut.reveal();
    sut.view = { ...sut.view!, next: { number: 3, failuresNeeded: 0 } };

    assert.equal(await sut.reveal(), false);

    assert.equal(sut.failuresNeeded, 2);
    assert.equal(sut.problem, null);
  });

  it('shows a problem when the API cannot be reached, and loads nothing without hints', async () => {
    const sut = new HintsSession('a-1', 2, {
      api: {
        hints: async () => {
          throw new Error('never called');
        },
        revealHint: async () => {
          throw new ApiError({ status: 0, code: 'network_error', message: 'offline' });
        },
      },
    });
    assert.equal(await sut.reveal(), false);
    assert.match(sut.problem ?? '', /could not be loaded/);

    const none = new HintsSession('a-2', 0, harness().deps);
    await none.load();
    assert.equal(none.view, null);
    assert.equal(none.nextNumber, null);
  });
});

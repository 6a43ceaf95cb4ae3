import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDraftStore, draftKey } from './draft-storage.ts';
import type { DraftBackend } from './draft-storage.ts';

function memoryBackend(): DraftBackend & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe(createDraftStore.name, () => {
  it('keeps one draft per assignment', () => {
    const sut = createDraftStore(memoryBackend());

    sut.save('hello', 'def hello(): ...', 'starter');
    sut.save('sum', 'def sum(a, b): ...', 'starter');

    assert.equal(sut.load('hello'), 'def hello(): ...');
    assert.equal(sut.load('sum'), 'def sum(a, b): ...');
    assert.equal(sut.load('other'), null);
  });

  it('keeps the code an earlier submission replaced aside, apart from the draft', () => {
    const backend = memoryBackend();
    const sut = createDraftStore(backend);

    sut.save('hello', 'my draft', 'starter');
    sut.keepAside('hello', 'my draft');
    sut.save('hello', 'the earlier submission', 'starter');

    assert.equal(sut.loadAside('hello'), 'my draft');
    assert.equal(sut.load('hello'), 'the earlier submission');
    assert.equal(sut.loadAside('sum'), null);
    sut.clearAside('hello');
    assert.equal(sut.loadAside('hello'), null);
    assert.equal(sut.load('hello'), 'the earlier submission');
  });

  it('forgets a draft that is back to the starter code', () => {
    const backend = memoryBackend();
    const sut = createDraftStore(backend);

    sut.save('hello', 'changed', 'starter');
    sut.save('hello', 'starter', 'starter');

    assert.equal(backend.data.has(draftKey('hello')), false);
  });

  it('ignores corrupt entries', () => {
    const backend = memoryBackend();
    backend.data.set(draftKey('hello'), '{not json');
    backend.data.set(draftKey('sum'), JSON.stringify({ code: 42 }));
    const sut = createDraftStore(backend);

    assert.equal(sut.load('hello'), null);
    assert.equal(sut.load('sum'), null);
  });

  it('keeps working when storage is missing or throws (full, private mode)', () => {
    const throwing: DraftBackend = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    for (const sut of [createDraftStore(null), createDraftStore(throwing)]) {
      assert.doesNotThrow(() => sut.save('hello', 'x', 'y'));
      assert.equal(sut.load('hello'), null);
      assert.doesNotThrow(() => sut.clear('hello'));
    }
  });
});

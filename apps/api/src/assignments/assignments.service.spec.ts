import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AssignmentEntity } from '@koodi/db';
import { ApiError } from '../http/api-error';
import type { AssignmentCache, CachedAnswer } from './assignment-cache.service';
import { AssignmentsService } from './assignments.service';
import type { SolvedCache } from './solved-cache.service';

const row = (slug: string, position: number) =>
  ({
    id: randomUUID(),
    slug,
    position,
    title: slug,
    handoutMd: '# h',
    starterCode: '',
    sampleTestCode: '',
    moduleName: 'solution',
    limits: {},
    version: 'v1',
  }) as unknown as AssignmentEntity;

describe(AssignmentsService.name, () => {
  const rows = [row('a', 1), row('b', 2)];
  /** A cache that always loads, wrapping the value as the real one does. */
  const cache = {
    get: async (_key: string, load: () => Promise<unknown>) => {
      const data = await load();
      if (data === null) return null;
      const json = JSON.stringify(data);
      return { json, body: Buffer.from(json), etag: '"e"', data } satisfies CachedAnswer<unknown>;
    },
  } as unknown as AssignmentCache;
  const repository = {
    list: async () => rows,
    findDetail: async (key: string) => {
      const found = rows.find((r) => r.slug === key || r.id === key);
      return found ? { ...found, hintCount: 2 } : null;
    },
  };
  const solved = {
    get: async (userId: string) => new Set(userId === 'u1' ? [rows[1].id] : []),
  } as unknown as SolvedCache;
  const sut = new AssignmentsService(cache, repository as never, solved);

  it('gives a caller without an identity the one shared list, and a student their own flags', async () => {
    const shared = await sut.list(null);
    assert.equal(shared.kind, 'shared');
    assert.ok(shared.kind === 'shared' && shared.answer.data.every((item) => !item.solved));
    const mine = await sut.list('u1');
    assert.equal(mine.kind, 'personal');
    assert.deepEqual(
      mine.kind === 'personal' && mine.items.map((item) => [item.slug, item.solved]),
      [
        ['a', false],
        ['b', true],
      ],
    );
  });

  it('finds by slug (in any case) or id, and answers 404 for anything else', async () => {
    assert.equal((await sut.find('B')).data.id, rows[1].id);
    assert.equal((await sut.find(rows[0].id)).data.slug, 'a');
    for (const key of ['nope', '../etc', 'x'.repeat(101)]) {
      await assert.rejects(
        sut.find(key),
        (error: unknown) => error instanceof ApiError && error.status === 404,
      );
    }
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AssignmentEntity } from '@koodi/db';
import { ApiError } from '../http/api-error';
import type { AssignmentCache, CachedAnswer } from './assignment-cache.service';
import { AssignmentsService } from './assignments.service';

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
  const sut = new AssignmentsService(cache, repository as never);

  it('lists the course in one shared answer carrying no student state', async () => {
    const list = await sut.list();
    assert.deepEqual(
      list.data.map((item) => Object.keys(item).sort()),
      [
        ['id', 'position', 'slug', 'title'],
        ['id', 'position', 'slug', 'title'],
      ],
    );
    assert.deepEqual(
      list.data.map((item) => item.slug),
      ['a', 'b'],
    );
    assert.deepEqual(await sut.course(), list.data);
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

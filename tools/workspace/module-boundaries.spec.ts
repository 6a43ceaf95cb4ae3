// The direction of dependencies between projects is enforced by lint: these imports must fail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// The files linted here do not exist, so no tsconfig holds them: without types, as the
// boundary rules need none (tools/workspace/type-aware-lint.spec.ts covers the typed rules).
const eslint = new ESLint({
  cwd: new URL('../../', import.meta.url).pathname,
  overrideConfig: tseslint.configs.disableTypeChecked,
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

describe('module boundaries', () => {
  it('refuse the web app importing the database library', async () => {
    const errors = await boundaryErrors(
      'apps/web/src/lib/forbidden.ts',
      "import { UserEntity } from '@koodi/db';\nexport const x = UserEntity;\n",
    );
    assert.equal(errors.length, 1, 'expected one boundary error');
    assert.match(errors[0], /scope:web" can only depend on libs tagged with "type:contracts"/);
  });

  it('refuse the contracts library importing the queue library', async () => {
    const errors = await boundaryErrors(
      'libs/contracts/src/lib/forbidden.ts',
      "import { RedisListClient } from '@koodi/queue';\nexport const x = RedisListClient;\n",
    );
    assert.equal(errors.length, 1);
  });

  it('refuse a library importing the tools', async () => {
    const errors = await boundaryErrors(
      'libs/queue/src/testing/forbidden.ts',
      "import { freePort } from '@koodi/tools/stack/processes.ts';\nexport const x = freePort;\n",
    );
    assert.equal(errors.length, 1);
  });

  it('refuse a library importing an app', async () => {
    const errors = await boundaryErrors(
      'libs/db/src/lib/forbidden.ts',
      "import * as api from '@koodi/api';\nexport const x = api;\n",
    );
    assert.equal(errors.length, 1);
  });

  it('refuse production code importing the in-memory repositories, and allow specs to', async () => {
    const code =
      "import { FakeSubmissionRepository } from '@koodi/db/testing';\nexport const x = FakeSubmissionRepository;\n";
    const restricted = async (filePath: string, text = code) => {
      const [result] = await eslint.lintText(text, { filePath });
      return result.messages
        .filter((m) => m.ruleId === 'no-restricted-imports')
        .map((m) => m.message);
    };
    for (const filePath of [
      'apps/api/src/submissions/forbidden.ts',
      'apps/grader/src/app/forbidden.ts',
    ]) {
      const errors = await restricted(filePath);
      assert.equal(errors.length, 1, filePath);
      assert.match(errors[0], /for tests only/);
    }
    assert.deepEqual(await restricted('apps/api/src/submissions/allowed.spec.ts'), []);
    assert.deepEqual(await restricted('apps/grader/src/test/allowed.ts'), []);
    const queueTesting =
      "import { freePort } from '@koodi/queue/testing';\nexport const x = freePort;\n";
    const queueErrors = await restricted('apps/grader/src/app/forbidden.ts', queueTesting);
    assert.equal(queueErrors.length, 1);
    assert.match(queueErrors[0], /for tests only/);
    assert.deepEqual(await restricted('apps/api/src/testing/allowed.ts', queueTesting), []);
    // The relative cross-project rule still holds where the fakes are refused.
    const relative = await eslint.lintText(
      "import { x } from '../../../libs/db/src';\nexport const y = x;\n",
      {
        filePath: 'apps/api/src/submissions/forbidden.ts',
      },
    );
    assert.ok(
      relative[0].messages.some(
        (m) => m.ruleId === 'no-restricted-imports' && /by alias/.test(m.message),
      ),
    );
  });

  it('allow the API importing the contracts, database and queue libraries', async () => {
    const code = [
      "import { GRADING_QUEUE } from '@koodi/contracts';",
      "import { UserEntity } from '@koodi/db';",
      "import * as queue from '@koodi/queue';",
      'export const x = [GRADING_QUEUE, UserEntity, queue];',
      '',
    ].join('\n');
    assert.deepEqual(await boundaryErrors('apps/api/src/allowed.ts', code), []);
  });
});

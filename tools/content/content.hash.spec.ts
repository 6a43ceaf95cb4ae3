import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ASSIGNMENT_FILES, contentHash } from './content.hash.ts';
import { assignmentFiles } from './content.fixtures.ts';

describe(contentHash.name, () => {
  const sut = contentHash;

  it('is a sha256 hex digest and the same for the same files', () => {
    const version = sut(assignmentFiles(1));
    assert.match(version, /^[0-9a-f]{64}$/);
    assert.equal(sut(assignmentFiles(1)), version);
  });

  for (const file of ASSIGNMENT_FILES) {
    it(`changes when ${file} changes`, () => {
      const files = assignmentFiles(1);
      const before = sut(files);
      assert.notEqual(sut({ ...files, [file]: `${files[file]}# edited\n` }), before);
    });
  }

  it('changes when text moves from one file to the next', () => {
    const files = assignmentFiles(1);
    const moved = {
      ...files,
      'starter.py': files['starter.py'] + files['solution.py'].slice(0, 4),
      'solution.py': files['solution.py'].slice(4),
    };
    assert.notEqual(sut(moved), sut(files));
  });
});

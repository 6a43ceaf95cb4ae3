import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProgramTests } from './program-cases';

describe(parseProgramTests.name, () => {
  it('reads stored program tests, visible false unless said', () => {
    const sut = parseProgramTests(
      JSON.stringify({
        compare: 'whitespace',
        cases: [
          { name: 'a', stdin: '1\n', stdout: '2\n' },
          { name: 'b', stdin: '', stdout: '', visible: true },
        ],
      }),
    );

    assert.deepEqual(sut, {
      compare: 'whitespace',
      cases: [
        { name: 'a', stdin: '1\n', stdout: '2\n', visible: false },
        { name: 'b', stdin: '', stdout: '', visible: true },
      ],
    });
  });

  for (const [what, text, message] of [
    ['not JSON', 'import unittest', /not JSON/],
    [
      'an unknown comparison',
      '{"compare":"fuzzy","cases":[]}',
      /compare must be one of exact, whitespace/,
    ],
    [
      'a case without stdout',
      '{"compare":"exact","cases":[{"name":"a","stdin":""}]}',
      /case 1 needs a name, stdin and stdout/,
    ],
    [
      'too many cases',
      JSON.stringify({
        compare: 'exact',
        cases: Array.from({ length: 51 }, (_, i) => ({ name: `${i}`, stdin: '', stdout: '' })),
      }),
      /at most 50/,
    ],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseProgramTests(text), message);
    });
  }
});

import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parseProgramTests } from '@koodi/contracts';
import { loadContent, type ContentProblem } from './content.loader.ts';
import { assignmentFiles, ContentDirFixture, programFiles } from './content.fixtures.ts';

const REAL_CONTENT = fileURLToPath(new URL('../../content', import.meta.url));

function messagesOf(problems: ContentProblem[], folder: string): string[] {
  return problems.filter((p) => p.folder === folder).map((p) => p.message);
}

function frontMatter(lines: string): string {
  return `---\n${lines}\n---\n\nThe handout.\n`;
}

describe(loadContent.name, () => {
  const sut = loadContent;
  let content: ContentDirFixture;

  beforeEach(async () => {
    content = await ContentDirFixture.create();
  });
  after(async () => {
    await content?.cleanup();
  });

  it('loads a valid folder: slug from the folder name, handout without front matter, content hash', async () => {
    await content.write('01-double', {
      'assignment.md': frontMatter(
        'title: Double it\nposition: 1\nmodule: double\nlimits:\n  cpuSeconds: 1\n  memoryMb: 128',
      ),
    });

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(problems, []);
    assert.equal(assignments.length, 1);
    const [a] = assignments;
    assert.equal(a.folder, '01-double');
    assert.equal(a.content.slug, 'double');
    assert.equal(a.content.position, 1);
    assert.equal(a.content.title, 'Double it');
    assert.equal(a.content.moduleName, 'double');
    assert.equal(a.content.handoutMd, 'The handout.\n');
    assert.deepEqual(a.content.limits, { cpuSeconds: 1, memoryMb: 128 });
    assert.equal(a.content.starterCode, assignmentFiles(1)['starter.py']);
    assert.equal(a.content.testCode, assignmentFiles(1)['tests.py']);
    assert.equal(a.content.sampleTestCode, assignmentFiles(1)['samples.py']);
    assert.equal(a.solution, assignmentFiles(1)['solution.py']);
    assert.match(a.content.version, /^[0-9a-f]{64}$/);
  });

  it('reports a missing file by folder name and still loads the other folders', async () => {
    await content.write('01-double');
    await content.write('02-broken', { 'tests.py': null });

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(problems, [{ folder: '02-broken', message: 'tests.py is missing' }]);
    assert.deepEqual(
      assignments.map((a) => a.folder),
      ['01-double'],
    );
  });

  it('reports every bad front matter field', async () => {
    await content.write('01-bad', {
      'assignment.md': frontMatter(
        'title: ""\nposition: two\nmodule: 9lives\ncolour: red\nlimits:\n  cpuSeconds: 99\n  memoryMb: 1.5',
      ),
    });

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(assignments, []);
    const messages = messagesOf(problems, '01-bad').join('\n');
    for (const field of [
      'title',
      'position',
      'module',
      'colour',
      'limits.cpuSeconds',
      'limits.memoryMb',
    ]) {
      assert.match(
        messages,
        new RegExp(`front matter: ${field.replace('.', '\\.')}:`),
        `expected a problem for ${field}`,
      );
    }
  });

  it('reports a missing field and front matter that is not YAML or not there', async () => {
    await content.write('01-no-module', { 'assignment.md': frontMatter('title: T\nposition: 1') });
    await content.write('02-not-yaml', {
      'assignment.md': frontMatter('title: [unclosed\nposition: 2'),
    });
    await content.write('03-none', { 'assignment.md': 'Just a handout.\n' });

    const { problems } = await sut(content.dir);

    assert.match(messagesOf(problems, '01-no-module').join(), /module: /);
    assert.match(messagesOf(problems, '02-not-yaml').join(), /not valid YAML/);
    assert.match(messagesOf(problems, '03-none').join(), /must start with YAML front matter/);
  });

  it('reports a duplicate position in both folders', async () => {
    await content.write('01-first', {}, 1);
    await content.write('02-second', {}, 2);
    await content.write('02-third', {}, 2);

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(problems, [
      { folder: '02-second', message: 'position 2 is also used by 02-third' },
      { folder: '02-third', message: 'position 2 is also used by 02-second' },
    ]);
    assert.deepEqual(
      assignments.map((a) => a.folder),
      ['01-first'],
    );
  });

  it('reports a duplicate slug', async () => {
    await content.write('01-same');
    await content.write('02-same');

    const { problems } = await sut(content.dir);

    assert.deepEqual(
      problems.map((p) => p.folder),
      ['01-same', '02-same'],
    );
    assert.match(problems[0].message, /slug same is also used by 02-same/);
  });

  it('reports a folder name without number or with capitals, and a number that differs from the position', async () => {
    await content.write('hello', {}, 1);
    await content.write('02-Hello', {}, 2);
    await content.write('03-third', {}, 4);

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(assignments, []);
    assert.match(messagesOf(problems, 'hello').join(), /folder name must be <number>-<slug>/);
    assert.match(messagesOf(problems, '02-Hello').join(), /folder name must be <number>-<slug>/);
    assert.deepEqual(messagesOf(problems, '03-third'), [
      'folder number 03 and front matter position 4 differ',
    ]);
  });

  it('reports Python files that do not compile, naming the file and line', async () => {
    await content.write('01-syntax', {
      'tests.py':
        'import unittest\n\nclass T(unittest.TestCase):\n    def test_x(self)\n        pass\n',
      'starter.py': 'def double(x):\n',
    });

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(assignments, []);
    const messages = messagesOf(problems, '01-syntax');
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(
      messages.find((m) => m.startsWith('tests.py')) ?? '',
      /^tests\.py does not compile: line 4: /,
    );
    assert.match(
      messages.find((m) => m.startsWith('starter.py')) ?? '',
      /^starter\.py does not compile: line \d+: /,
    );
  });

  it('refuses module names that would hide a standard module or are keywords', async () => {
    const withModule = (position: number, module: string) => ({
      'assignment.md': frontMatter(`title: T\nposition: ${position}\nmodule: ${module}`),
    });
    await content.write('01-string', withModule(1, 'string'));
    await content.write('02-unittest', withModule(2, 'unittest'));
    await content.write('03-keyword', withModule(3, 'class'));

    const { assignments, problems } = await sut(content.dir);

    assert.deepEqual(assignments, []);
    assert.match(messagesOf(problems, '01-string').join(), /would hide Python's own module/);
    assert.match(messagesOf(problems, '02-unittest').join(), /would hide Python's own module/);
    assert.match(messagesOf(problems, '03-keyword').join(), /is a Python keyword/);
  });

  it('reports empty files, a missing handout and limits that cannot work together', async () => {
    await content.write('01-empty', {
      'assignment.md':
        '---\ntitle: T\nposition: 1\nmodule: double\nlimits:\n  cpuSeconds: 8\n  wallSeconds: 4\n---\n',
      'samples.py': '',
    });

    const { problems } = await sut(content.dir);

    assert.deepEqual(messagesOf(problems, '01-empty').sort(), [
      'assignment.md has no handout below the front matter',
      'limits: wallSeconds (4) is below cpuSeconds (8)',
      'samples.py is empty',
    ]);
  });

  it('reports an empty content directory and one that does not exist', async () => {
    assert.deepEqual((await sut(content.dir)).problems, [
      { folder: content.dir, message: 'no assignment folders found' },
    ]);
    const missing = await sut(`${content.dir}/nope`);
    assert.match(missing.problems[0].message, /cannot read/);
  });

  describe('a program (kind: program)', () => {
    it('loads the cases as the tests, the visible ones as the samples, with the comparison', async () => {
      await content.write('01-echo', programFiles(1, 'whitespace'));

      const { assignments, problems } = await sut(content.dir);

      assert.deepEqual(problems, []);
      const [a] = assignments;
      assert.equal(a.content.kind, 'program');
      assert.equal(a.content.moduleName, 'main');
      const all = parseProgramTests(a.content.testCode);
      assert.equal(all.compare, 'whitespace');
      assert.deepEqual(
        all.cases.map((c) => [c.name, c.stdin, c.stdout, c.visible]),
        [
          ['one line', 'ab\n', 'abab\n', true],
          ['two lines', 'x\ny\n', 'xx\nyy\n', false],
        ],
      );
      assert.deepEqual(
        parseProgramTests(a.content.sampleTestCode).cases.map((c) => c.name),
        ['one line'],
      );
    });

    it('needs cases.yaml, not tests.py or samples.py', async () => {
      await content.write('01-echo', { ...programFiles(1), 'cases.yaml': null });

      const { problems } = await sut(content.dir);

      assert.deepEqual(messagesOf(problems, '01-echo'), ['cases.yaml is missing']);
    });

    it('reports cases without a visible sample, twice-used names and missing fields', async () => {
      await content.write('01-echo', {
        ...programFiles(1),
        'cases.yaml':
          'cases:\n  - name: a\n    stdin: ""\n    stdout: ""\n  - name: a\n    stdin: ""\n    stdout: ""\n',
      });
      await content.write('02-echo', {
        ...programFiles(2),
        'cases.yaml': 'cases:\n  - name: a\n    stdin: ""\n',
      });

      const { problems } = await sut(content.dir);

      assert.deepEqual(messagesOf(problems, '01-echo'), [
        'cases.yaml: the case name "a" is used twice',
        'cases.yaml: no case is visible; mark at least one `visible: true` as a sample for the student',
      ]);
      assert.equal(messagesOf(problems, '02-echo').length, 1);
      assert.match(messagesOf(problems, '02-echo')[0], /^cases\.yaml: cases\.0\.stdout: /);
    });

    it('says compare is for programs only, and module is required for functions', async () => {
      await content.write('01-double', {
        'assignment.md': frontMatter('title: Double\nposition: 1\nmodule: double\ncompare: exact'),
      });
      await content.write('02-triple', {
        'assignment.md': frontMatter('title: Double\nposition: 2'),
      });

      const { problems } = await sut(content.dir);

      assert.deepEqual(messagesOf(problems, '01-double'), [
        'assignment.md front matter: compare: only a program assignment (kind: program) compares output',
      ]);
      assert.deepEqual(messagesOf(problems, '02-triple'), [
        'assignment.md front matter: module: required (the name the tests import the code by)',
      ]);
    });

    it('hashes cases.yaml into the version', async () => {
      await content.write('01-echo', programFiles(1));
      const before = (await sut(content.dir)).assignments[0].content.version;
      await content.write('01-echo', {
        ...programFiles(1),
        'cases.yaml': `${programFiles(1)['cases.yaml']}# edited\n`,
      });

      assert.notEqual((await sut(content.dir)).assignments[0].content.version, before);
    });
  });

  describe('hints', () => {
    it('reads them in order, a plain one open at once, one held back until failures', async () => {
      await content.write('01-double', {
        'assignment.md': frontMatter(
          'title: Double it\nposition: 1\nmodule: double\nhints:\n  - Multiply.\n  - text: Use `* 2`.\n    afterFailures: 3',
        ),
      });

      const { assignments, problems } = await sut(content.dir);

      assert.deepEqual(problems, []);
      assert.deepEqual(assignments[0].content.hints, [
        { text: 'Multiply.', afterFailures: 0 },
        { text: 'Use `* 2`.', afterFailures: 3 },
      ]);
    });

    it('reports an empty hint, an unknown field and a negative hold-back', async () => {
      await content.write('01-double', {
        'assignment.md': frontMatter(
          "title: Double it\nposition: 1\nmodule: double\nhints:\n  - ''\n  - text: Fine.\n    after: 2\n  - text: Fine.\n    afterFailures: -1",
        ),
      });

      const { assignments, problems } = await sut(content.dir);

      assert.equal(assignments.length, 0);
      assert.ok(problems.length >= 1);
      assert.ok(problems.every((p) => p.message.includes('hints')), JSON.stringify(problems));
    });

    it('changes the version when a hint changes', async () => {
      const files = (hint: string) => ({
        'assignment.md': frontMatter(`title: Double it\nposition: 1\nmodule: double\nhints:\n  - ${hint}`),
      });
      await content.write('01-double', files('Multiply.'));
      const before = (await sut(content.dir)).assignments[0].content.version;
      await content.write('01-double', files('Add it to itself.'));

      assert.notEqual((await sut(content.dir)).assignments[0].content.version, before);
    });
  });

  describe('the content/ folder of this repository', () => {
    let loaded: Awaited<ReturnType<typeof loadContent>>;
    before(async () => {
      loaded = await sut(REAL_CONTENT);
    });

    it('has no problems', () => {
      assert.deepEqual(loaded.problems, []);
    });

    it('has at least fifteen assignments, starting with the classic three', () => {
      assert.ok(loaded.assignments.length >= 15, `only ${loaded.assignments.length} assignments`);
      assert.deepEqual(
        loaded.assignments
          .slice(0, 3)
          .map((a) => [a.content.slug, a.content.moduleName, a.content.title]),
        [
          ['hello', 'hello', 'Hello'],
          ['hello-world', 'hello_world', 'Hello world'],
          ['sum', 'sum', 'Sum'],
        ],
      );
    });

    it('has at least four programs that read input', () => {
      const programs = loaded.assignments.filter((a) => a.content.kind === 'program');
      assert.ok(programs.length >= 4, `only ${programs.length} programs`);
      for (const a of programs) assert.equal(parseProgramTests(a.content.testCode).cases.length >= 5, true, a.folder);
    });

    it('has at least four programs that read input, each with five cases or more', () => {
      const programs = loaded.assignments.filter((a) => a.content.kind === 'program');
      assert.ok(programs.length >= 4, `only ${programs.length} programs`);
      for (const a of programs) {
        assert.ok(parseProgramTests(a.content.testCode).cases.length >= 5, a.folder);
      }
    });

    it('has hints on at least six assignments, two or more each, one held back', () => {
      const hinted = loaded.assignments.filter((a) => (a.content.hints?.length ?? 0) >= 2);
      assert.ok(hinted.length >= 6, `only ${hinted.length} assignments with hints`);
      assert.ok(hinted.some((a) => a.content.hints!.some((h) => h.afterFailures > 0)));
    });

    it('numbers the assignments 1, 2, 3, … without gaps', () => {
      assert.deepEqual(
        loaded.assignments.map((a) => a.content.position),
        loaded.assignments.map((_, i) => i + 1),
      );
    });
  });
});

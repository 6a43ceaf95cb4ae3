import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssignmentFileName, ASSIGNMENT_FILES } from './content.hash.ts';

/** A small valid assignment: double(x) returns 2 * x. */
export function assignmentFiles(
  position: number,
  module = 'double',
): Record<(typeof ASSIGNMENT_FILES)[number], string> {
  return {
    'assignment.md': `---\ntitle: Double ${position}\nposition: ${position}\nmodule: ${module}\n---\n\nReturn twice the number.\n`,
    'starter.py': 'def double(x):\n    return None\n',
    'solution.py': 'def double(x):\n    return 2 * x\n',
    'tests.py':
      `import unittest\nfrom ${module} import double\n\n\nclass DoubleTests(unittest.TestCase):\n` +
      '    def test_values(self):\n        self.assertEqual(double(2), 4)\n        self.assertEqual(double(-3), -6)\n',
    'samples.py':
      `import unittest\nfrom ${module} import double\n\n\nclass DoubleSamples(unittest.TestCase):\n` +
      '    def test_two(self):\n        self.assertEqual(double(2), 4)\n',
  };
}

/** A small valid program assignment: it prints each input line twice as long (repeated). */
export function programFiles(position: number, compare = 'exact'): Partial<Record<AssignmentFileName, string | null>> {
  return {
    'assignment.md': `---\ntitle: Echo ${position}\nposition: ${position}\nkind: program\ncompare: ${compare}\n---\n\nPrint each line twice.\n`,
    'starter.py': 'print(input())\n',
    'solution.py': 'import sys\nfor line in sys.stdin:\n    print(line.rstrip("\\n") * 2)\n',
    'cases.yaml':
      'cases:\n  - name: one line\n    visible: true\n    stdin: "ab\\n"\n    stdout: "abab\\n"\n' +
      '  - name: two lines\n    stdin: "x\\ny\\n"\n    stdout: "xx\\nyy\\n"\n',
    'tests.py': null,
    'samples.py': null,
  };
}

/** A temporary content/ directory that tests fill folder by folder. */
export class ContentDirFixture {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<ContentDirFixture> {
    return new ContentDirFixture(await mkdtemp(join(tmpdir(), 'koodi-content-')));
  }

  /** Writes a folder; `null` for a file leaves it out. */
  async write(
    folder: string,
    files: Partial<Record<AssignmentFileName, string | null>> = {},
    position = Number.parseInt(folder, 10),
  ): Promise<void> {
    const all = { ...assignmentFiles(position), ...files };
    await mkdir(join(this.dir, folder), { recursive: true });
    for (const [name, text] of Object.entries(all)) {
      if (text === null) await rm(join(this.dir, folder, name), { force: true });
      else await writeFile(join(this.dir, folder, name), text);
    }
  }

  async remove(folder: string): Promise<void> {
    await rm(join(this.dir, folder), { recursive: true, force: true });
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssignmentContent } from '@koodi/db';
import { resolveLimits, type AssignmentKind, type ProgramTests } from '@koodi/contracts';
import { parse as parseYaml } from 'yaml';
import { contentHash, FILES_BY_KIND, type AssignmentFileName } from './content.hash.ts';
import { casesFileSchema, frontMatterSchema } from './front-matter.schema.ts';
import { checkPython, DEFAULT_PYTHON, type PythonSource } from './python.check.ts';

/** One thing wrong with the content, named by the folder it is in (or "content/" for the whole). */
export interface ContentProblem {
  folder: string;
  message: string;
}

/** A folder that parsed and validated; what the sandbox check and the sync work on. */
export interface LoadedAssignment {
  folder: string;
  content: AssignmentContent;
  /** The reference solution: checked in the sandbox, never stored. */
  solution: string;
}

export interface LoadedContent {
  assignments: LoadedAssignment[];
  problems: ContentProblem[];
}

export interface LoadOptions {
  python?: string;
}

const FOLDER_NAME = /^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)$/;
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
// Names the sandbox itself uses for the hidden tests.
const SANDBOX_MODULES = new Set(['_koodi_tests']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads every folder of contentDir and validates it without running any student-facing code:
 * files, front matter, names, positions, and that every Python file compiles. Every problem is
 * reported, each with its folder; a folder with problems is left out of `assignments`.
 */
export async function loadContent(
  contentDir: string,
  options: LoadOptions = {},
): Promise<LoadedContent> {
  const problems: ContentProblem[] = [];
  let entries;
  try {
    entries = await readdir(contentDir, { withFileTypes: true });
  } catch (error) {
    return {
      assignments: [],
      problems: [{ folder: contentDir, message: `cannot read: ${(error as Error).message}` }],
    };
  }
  const folders = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();

  const parsed: LoadedAssignment[] = [];
  for (const folder of folders) {
    const report = (message: string) => problems.push({ folder, message });
    const result = await readFolder(join(contentDir, folder), folder, report);
    if (result) parsed.push(result);
  }
  if (folders.length === 0)
    problems.push({ folder: contentDir, message: 'no assignment folders found' });

  checkUnique(parsed, (a) => a.content.slug, 'slug', problems);
  checkUnique(parsed, (a) => String(a.content.position), 'position', problems);

  const sources: PythonSource[] = parsed.flatMap((a) => [
    {
      id: `${a.folder}\0starter.py`,
      filename: `${a.content.moduleName}.py`,
      source: a.content.starterCode,
    },
    { id: `${a.folder}\0solution.py`, filename: `${a.content.moduleName}.py`, source: a.solution },
    // A program's tests are its cases (cases.yaml), no Python.
    ...(a.content.kind === 'program'
      ? []
      : [
          { id: `${a.folder}\0tests.py`, filename: 'tests.py', source: a.content.testCode },
          { id: `${a.folder}\0samples.py`, filename: 'samples.py', source: a.content.sampleTestCode },
        ]),
  ]);
  const python = await checkPython(sources, options.python ?? DEFAULT_PYTHON);
  for (const [id, message] of python.errors) {
    const [folder, file] = id.split('\0');
    problems.push({ folder, message: `${file} does not compile: ${message}` });
  }
  for (const a of parsed) {
    const name = a.content.moduleName;
    if (python.keywords.has(name)) {
      problems.push({ folder: a.folder, message: `module "${name}" is a Python keyword` });
    } else if (python.reservedModules.has(name) || SANDBOX_MODULES.has(name)) {
      problems.push({
        folder: a.folder,
        message: `module "${name}" would hide Python's own module of that name; choose another`,
      });
    }
  }

  const broken = new Set(problems.map((p) => p.folder));
  problems.sort((a, b) => a.folder.localeCompare(b.folder));
  return { assignments: parsed.filter((a) => !broken.has(a.folder)), problems };
}

async function readFolder(
  dir: string,
  folder: string,
  report: (message: string) => void,
): Promise<LoadedAssignment | null> {
  const name = FOLDER_NAME.exec(folder);
  if (!name) {
    report(
      'folder name must be <number>-<slug>, e.g. 04-word-count (small letters, digits, single hyphens)',
    );
  }

  const files = {} as Record<AssignmentFileName, string>;
  let missing = false;
  const kind = await kindOf(join(dir, 'assignment.md'));
  for (const file of FILES_BY_KIND[kind]) {
    try {
      const text = utf8.decode(await readFile(join(dir, file)));
      if (text.includes('\0')) report(`${file} contains a NUL character`);
      files[file] = text;
    } catch (error) {
      missing = true;
      const code = (error as NodeJS.ErrnoException).code;
      report(
        code === 'ENOENT'
          ? `${file} is missing`
          : error instanceof TypeError
            ? `${file} is not valid UTF-8`
            : `${file} cannot be read: ${(error as Error).message}`,
      );
    }
  }
  if (missing) return null;

  const match = FRONT_MATTER.exec(files['assignment.md']);
  if (!match) {
    report('assignment.md must start with YAML front matter between two "---" lines');
    return null;
  }
  let yaml: unknown;
  try {
    yaml = parseYaml(match[1]);
  } catch (error) {
    report(
      `assignment.md front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    );
    return null;
  }
  const front = frontMatterSchema.safeParse(yaml ?? {});
  if (!front.success) {
    for (const issue of front.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          report(`assignment.md front matter: ${[...issue.path, key].join('.')}: unknown field`);
        }
        continue;
      }
      const path = issue.path.length ? issue.path.join('.') : '(front matter)';
      report(`assignment.md front matter: ${path}: ${issue.message}`);
    }
    return null;
  }
  const handout = files['assignment.md'].slice(match[0].length).trim();
  if (!handout) report('assignment.md has no handout below the front matter');
  // The page shows the front matter title as the heading; a second one would repeat it.
  if (/^# /.test(handout))
    report('assignment.md: start the handout without a "# " heading (the title is shown above it)');
  for (const file of ['starter.py', 'solution.py', 'tests.py', 'samples.py'] as const) {
    if (files[file] !== undefined && !files[file].trim()) report(`${file} is empty`);
  }
  if (kind === 'function' && front.data.module === undefined) {
    report('assignment.md front matter: module: required (the name the tests import the code by)');
  }
  if (kind === 'function' && front.data.compare !== undefined) {
    report('assignment.md front matter: compare: only a program assignment (kind: program) compares output');
  }
  const tests = kind === 'program' ? readCases(files['cases.yaml'], front.data.compare ?? 'exact', report) : undefined;
  if (kind === 'program' && !tests) return null;

  const limits = front.data.limits ?? {};
  const resolved = resolveLimits(limits);
  if (resolved.wallSeconds < resolved.cpuSeconds) {
    report(
      `limits: wallSeconds (${resolved.wallSeconds}) is below cpuSeconds (${resolved.cpuSeconds})`,
    );
  }
  if (!name) return null;
  const number = Number(name[1]);
  if (number !== front.data.position) {
    report(`folder number ${name[1]} and front matter position ${front.data.position} differ`);
  }

  return {
    folder,
    solution: files['solution.py'],
    content: {
      slug: name[2],
      position: front.data.position,
      title: front.data.title,
      handoutMd: `${handout}\n`,
      starterCode: files['starter.py'],
      moduleName: front.data.module ?? 'main',
      ...(kind === 'program' ? { kind } : {}),
      testCode: tests ? JSON.stringify(tests) : files['tests.py'],
      sampleTestCode: tests
        ? JSON.stringify({ ...tests, cases: tests.cases.filter((c) => c.visible) })
        : files['samples.py'],
      limits,
      ...(front.data.hints?.length
        ? {
            hints: front.data.hints.map((hint) =>
              typeof hint === 'string'
                ? { text: hint, afterFailures: 0 }
                : { text: hint.text, afterFailures: hint.afterFailures ?? 0 },
            ),
          }
        : {}),
      version: contentHash(files),
    },
  };
}

/** The kind the front matter names, read before the folder's files (which depend on it). */
async function kindOf(path: string): Promise<AssignmentKind> {
  try {
    const match = FRONT_MATTER.exec(await readFile(path, 'utf8'));
    const kind = match ? /^kind:\s*['"]?(\w+)/m.exec(match[1])?.[1] : undefined;
    return kind === 'program' ? 'program' : 'function';
  } catch {
    return 'function';
  }
}

/** cases.yaml: every case with its stdin and expected stdout; at least one shown as a sample. */
function readCases(
  text: string,
  compare: ProgramTests['compare'],
  report: (message: string) => void,
): ProgramTests | null {
  let yaml: unknown;
  try {
    yaml = parseYaml(text);
  } catch (error) {
    report(`cases.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
  const parsed = casesFileSchema.safeParse(yaml ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.length ? issue.path.join('.') : '(file)';
      report(`cases.yaml: ${path}: ${issue.message}`);
    }
    return null;
  }
  const cases = parsed.data.cases.map((c) => ({ name: c.name, stdin: c.stdin, stdout: c.stdout, visible: c.visible === true }));
  let ok = true;
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) {
      report(`cases.yaml: the case name "${c.name}" is used twice`);
      ok = false;
    }
    seen.add(c.name);
  }
  if (!cases.some((c) => c.visible)) {
    report('cases.yaml: no case is visible; mark at least one `visible: true` as a sample for the student');
    ok = false;
  }
  return ok ? { compare, cases } : null;
}

function checkUnique(
  assignments: LoadedAssignment[],
  key: (a: LoadedAssignment) => string,
  what: string,
  problems: ContentProblem[],
): void {
  const byKey = new Map<string, string[]>();
  for (const a of assignments) byKey.set(key(a), [...(byKey.get(key(a)) ?? []), a.folder]);
  for (const [value, folders] of byKey) {
    if (folders.length < 2) continue;
    for (const folder of folders) {
      const others = folders.filter((f) => f !== folder).join(', ');
      problems.push({ folder, message: `${what} ${value} is also used by ${others}` });
    }
  }
}

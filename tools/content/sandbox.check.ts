import { resolveLimits, type Feedback } from '@koodi/contracts';
import type { SandboxJob, SandboxPool, SandboxResult } from '@koodi/sandbox';
import type { ContentProblem, LoadedAssignment } from './content.loader.ts';

/** The part of the sandbox pool the check needs; the real SandboxPool fits. */
export type SandboxRunner = Pick<SandboxPool, 'run'>;

/**
 * Runs one assignment the way a student's submission is run, with the assignment's own limits:
 * the reference solution must pass tests.py and samples.py, the starter must fail tests.py by
 * failing tests (not by crashing, timing out or not compiling).
 */
export async function checkInSandbox(
  assignment: LoadedAssignment,
  sandbox: SandboxRunner,
): Promise<ContentProblem[]> {
  const { content, folder } = assignment;
  const job = (code: string, testCode: string): SandboxJob => ({
    ...(content.kind === 'program' ? { kind: 'program' as const } : {}),
    code,
    moduleName: content.moduleName,
    testCode,
    limits: resolveLimits(content.limits),
  });
  const [hidden, samples, starter] = await Promise.all([
    runWithRetry(sandbox, job(assignment.solution, content.testCode)),
    runWithRetry(sandbox, job(assignment.solution, content.sampleTestCode)),
    runWithRetry(sandbox, job(content.starterCode, content.testCode)),
  ]);

  const problems: string[] = [];
  const program = content.kind === 'program';
  const [testsFile, samplesFile] = program ? ['cases.yaml', 'the visible cases of cases.yaml'] : ['tests.py', 'samples.py'];
  for (const [file, result] of [
    [testsFile, hidden],
    [samplesFile, samples],
  ] as const) {
    const ran = result.feedback.tests.length > 0;
    if (!ran && (result.verdict === 'passed' || result.verdict === 'internal_error')) {
      problems.push(`${file} has no tests (no unittest.TestCase methods named test_…)`);
    } else if (result.verdict !== 'passed') {
      problems.push(
        `solution.py does not pass ${file}: ${result.verdict}; ${describe(result.feedback)}${splitNote(result)}`,
      );
    }
  }
  if (starter.verdict === 'passed') {
    problems.push(`starter.py passes ${testsFile}: the tests cannot tell the starter from a solution`);
  } else if (starter.verdict !== 'tests_failed') {
    problems.push(
      `starter.py should fail ${testsFile} by failing tests, but it ends as ${starter.verdict}; ${describe(starter.feedback)}`,
    );
  }
  return problems.map((message) => ({ folder, message }));
}

async function runWithRetry(sandbox: SandboxRunner, job: SandboxJob): Promise<SandboxResult> {
  // internal_error and a crashed sandbox are the infrastructure's fault: one more try.
  try {
    const result = await sandbox.run(job);
    if (result.verdict !== 'internal_error') return result;
  } catch {
    // retried below; a second failure is reported
  }
  return sandbox.run(job);
}

const SPLIT_LIMITS: Record<string, string> = {
  subclass: 'the tests subclass a class of the submission',
  identity:
    'an assertIs expects a value to come back as the very object, but values cross between the processes as copies (only arguments handed back and objects of the submission keep their identity)',
};

/**
 * The submission runs in a process of its own and the tests see it through proxies: say which
 * use of the tests that split cannot serve, so the author knows to change the tests.
 */
function splitNote(result: SandboxResult): string {
  const limits = result.splitLimits ?? [];
  if (!limits.length) return '';
  const reasons = limits.map((kind) => SPLIT_LIMITS[kind] ?? kind).join('; ');
  return ` — these tests cannot run with the submission in a separate process: ${reasons}`;
}

function describe(feedback: Feedback): string {
  const failing = feedback.tests.filter((t) => t.outcome !== 'passed').slice(0, 3);
  const details = failing.map((t) => `${t.name}: ${t.message.split('\n')[0]}`);
  const output =
    feedback.tests.length === 0 && feedback.output
      ? [feedback.output.trim().split('\n').slice(-3).join(' | ')]
      : [];
  return [feedback.summary, ...details, ...output].join(' — ');
}

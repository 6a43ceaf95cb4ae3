import { spawn } from 'node:child_process';

export interface PythonSource {
  /** Echoed back with its error, e.g. "01-hello/tests.py". */
  id: string;
  filename: string;
  source: string;
}

export interface PythonCheckReport {
  /** Sources that do not compile: id → "line 3: invalid syntax". */
  errors: Map<string, string>;
  /** Module names a student's module must not take over (the standard library's). */
  reservedModules: Set<string>;
  keywords: Set<string>;
}

// Compiles every source without running any of it; one interpreter start for all folders.
const SCRIPT = `
import json, keyword, sys
sources = json.load(sys.stdin)
errors = {}
for item in sources:
    try:
        compile(item['source'], item['filename'], 'exec', dont_inherit=True)
    except SyntaxError as e:
        errors[item['id']] = 'line %s: %s' % (e.lineno, e.msg)
    except ValueError as e:
        errors[item['id']] = str(e)
json.dump({
    'errors': errors,
    'stdlib': sorted(getattr(sys, 'stdlib_module_names', ())) + sorted(sys.builtin_module_names),
    'keywords': keyword.kwlist + list(getattr(keyword, 'softkwlist', [])),
}, sys.stdout)
`;

export const DEFAULT_PYTHON = '/usr/bin/python3';

export function checkPython(
  sources: PythonSource[],
  python: string = DEFAULT_PYTHON,
): Promise<PythonCheckReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-I', '-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new Error(`cannot run ${python}: ${error.message}`)));
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${python} failed to check the sources (exit ${code}): ${stderr.trim()}`));
        return;
      }
      const parsed = JSON.parse(stdout) as {
        errors: Record<string, string>;
        stdlib: string[];
        keywords: string[];
      };
      resolve({
        errors: new Map(Object.entries(parsed.errors)),
        reservedModules: new Set(parsed.stdlib),
        keywords: new Set(parsed.keywords),
      });
    });
    child.stdin.end(JSON.stringify(sources));
  });
}

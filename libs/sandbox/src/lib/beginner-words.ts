import type { RunnerEvent } from './verdict.mapper';

/** A common failure said plainly: the sentence, and the student's line it is about when known. */
export interface Explanation {
  sentence: string;
  line?: number;
}

/** What the explanations may look at besides the event: the submission and what it printed. */
export interface ExplainContext {
  code?: string;
  output?: string;
}

type Rule = (event: RunnerEvent, context: ExplainContext) => Explanation | undefined;

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;
const PYTHON_WORDS = [
  'print',
  'return',
  'input',
  'range',
  'len',
  'int',
  'str',
  'float',
  'list',
  'dict',
  'set',
  'tuple',
  'sum',
  'min',
  'max',
  'abs',
  'sorted',
  'reversed',
  'enumerate',
  'zip',
  'map',
  'filter',
  'open',
  'True',
  'False',
  'None',
  'isinstance',
  'round',
  'bool',
  'type',
  'self',
];

/** Levenshtein distance, stopping early past `limit`. */
function distance(a: string, b: string, limit = 2): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = name.length <= 3 ? 1 : 2;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = distance(name.toLowerCase(), candidate.toLowerCase(), bestDistance);
    if (d < bestDistance || (d === bestDistance && best === undefined)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function lines(code: string | undefined): string[] {
  return (code ?? '').split('\n');
}

/** The line (1-based) of `def name(` or `class name`, and whether it is indented. */
function definition(
  code: string | undefined,
  name: string,
): { line: number; indented: boolean } | undefined {
  const pattern = new RegExp(`^(\\s*)(?:async\\s+)?(?:def|class)\\s+${name}\\b`);
  const all = lines(code);
  for (let i = 0; i < all.length; i++) {
    const match = pattern.exec(all[i]);
    if (match) return { line: i + 1, indented: match[1].length > 0 };
  }
  return undefined;
}

function definedNames(code: string | undefined): string[] {
  const names: string[] = [];
  for (const line of lines(code)) {
    const match = /^\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/.exec(line);
    if (match) names.push(match[1]);
  }
  return names;
}

function text(event: RunnerEvent): string {
  return `${event.detail ?? ''}\n${event.message ?? ''}`;
}

const missingName: Rule = (event, { code }) => {
  const found =
    /module '[^']+' has no attribute '([A-Za-z_]\w*)'/.exec(text(event)) ??
    /cannot import name '([A-Za-z_]\w*)' from/.exec(text(event));
  if (!found) return undefined;
  const name = found[1];
  const what = /^[A-Z]/.test(name) ? 'class' : 'function';
  const defined = definition(code, name);
  if (defined?.indented) {
    return {
      sentence: `Your ${what} \`${name}\` on line ${defined.line} is indented, so it sits inside another block and the tests cannot find it. Move its \`${what === 'class' ? 'class' : 'def'}\` line to the left margin.`,
      line: defined.line,
    };
  }
  const near = closest(name, definedNames(code));
  const spelled = near ? ` (it has one named \`${near}\`)` : '';
  return {
    sentence: `Your code has no ${what} named \`${name}\`${spelled}. Check the spelling and that it is not indented inside another function.`,
    line: near ? definition(code, near)?.line : undefined,
  };
};

const wrongArguments: Rule = (event, { code }) => {
  if (event.type !== 'TypeError') return undefined;
  const body = text(event);
  const takes =
    /([A-Za-z_]\w*)\(\) takes (\d+|no) positional arguments? but (\d+) (?:was|were) given/.exec(
      body,
    );
  const missing = /([A-Za-z_]\w*)\(\) missing (\d+) required positional arguments?/.exec(body);
  const found = takes ?? missing;
  if (!found) return undefined;
  const name = found[1];
  const line = definition(code, name)?.line ?? event.location?.line;
  const sentence = takes
    ? `Your function \`${name}\` is defined with ${takes[2] === 'no' ? 'no' : takes[2]} parameter${takes[2] === '1' ? '' : 's'}, but the tests call it with ${takes[3]} argument${takes[3] === '1' ? '' : 's'}. Check the parameters in its \`def\` line.`
    : `The tests call \`${name}\` with fewer arguments than its \`def\` line asks for (${found[2]} missing). Check the parameters in its \`def\` line against the handout.`;
  return { sentence, line };
};

const indentation: Rule = (event) => {
  if (
    event.e !== 'syntax_error' ||
    (event.type !== 'IndentationError' && event.type !== 'TabError')
  )
    return undefined;
  const line = typeof event.line === 'number' ? event.line : undefined;
  const where = line ? `Line ${line}` : 'A line';
  const message = event.message ?? '';
  let sentence: string;
  if (event.type === 'TabError') {
    sentence = `${where} mixes tabs and spaces in its indentation. Indent with spaces only, four for each level.`;
  } else if (message.startsWith('expected an indented block')) {
    sentence = `${where} should be indented: the line above it ends with \`:\`, so the block under it needs four more spaces.`;
  } else if (message.startsWith('unexpected indent')) {
    sentence = `${where} is indented, but nothing above it opens a block. Remove the spaces at its start, or line it up with the line above.`;
  } else if (message.startsWith('unindent does not match')) {
    sentence = `${where} does not line up with any line above it. Give it the same indentation as the other lines of its block.`;
  } else {
    sentence = `${where} is not indented the way Python expects. Each block under a line ending in \`:\` is indented by four spaces.`;
  }
  return { sentence, line };
};

const undefinedName: Rule = (event, { code }) => {
  if (event.type !== 'NameError') return undefined;
  const found = /name '([A-Za-z_]\w*)' is not defined/.exec(text(event));
  if (!found) return undefined;
  const name = found[1];
  const line = event.location?.line;
  const known = new Set(
    [...(code ?? '').matchAll(IDENTIFIER)].map((m) => m[0]).filter((n) => n !== name),
  );
  const near = closest(name, [...known, ...PYTHON_WORDS]);
  const where = line ? ` on line ${line}` : '';
  return {
    sentence: near
      ? `\`${name}\`${where} is not defined. Did you mean \`${near}\`?`
      : `\`${name}\`${where} is not defined: Python does not know this name. Check its spelling, and that it gets a value before this line runs.`,
    line,
  };
};

const printInsteadOfReturn: Rule = (event, { output }) => {
  if (event.e !== 'test' || (event.outcome !== 'failed' && event.outcome !== 'error'))
    return undefined;
  const found =
    /^None != (.+)$/m.exec(event.message ?? '') ?? /^(.+) != None$/m.exec(event.message ?? '');
  if (!found || !output) return undefined;
  const expected = found[1].trim();
  const printed = /^'(.*)'$|^"(.*)"$/.exec(expected);
  const shown = printed ? (printed[1] ?? printed[2]) : expected;
  if (!shown || !output.split('\n').some((line) => line.trim() === shown)) return undefined;
  return {
    sentence: `Your function gave back \`None\`, but your output shows \`${shown}\`: it prints the answer instead of returning it. Use \`return\` where you have \`print\`.`,
    line: event.location?.line,
  };
};

const recursion: Rule = (event) => {
  if (!event.recursion && event.type !== 'RecursionError') return undefined;
  const line = event.location?.line;
  return {
    sentence: `Your function kept calling itself until Python stopped it (RecursionError)${line ? ` on line ${line}` : ''}. Check that it has a base case that returns without calling itself, and that every call gets closer to it.`,
    line,
  };
};

/** Tried in order; the first that fits says it. */
export const RULES: readonly Rule[] = [
  indentation,
  missingName,
  wrongArguments,
  undefinedName,
  recursion,
  printInsteadOfReturn,
];

export function explain(event: RunnerEvent, context: ExplainContext): Explanation | undefined {
  for (const rule of RULES) {
    const explanation = rule(event, context);
    if (explanation) return explanation;
  }
  return undefined;
}

/** Code with nothing in it to run: no line but blanks, comments, `pass` and `...`. */
export function isEmptyCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return code.split('\n').every((line) => /^\s*(#.*|pass|\.\.\.)?\s*$/.test(line));
}

export const EMPTY_CODE =
  'Your code is empty: write your solution in the editor, then submit again.';

/** The explanation as the first lines of a message, with the student's line quoted. */
export function explained(
  explanation: Explanation,
  code: string | undefined,
  message: string,
): string {
  const source = explanation.line ? lines(code)[explanation.line - 1]?.trim() : undefined;
  const quoted = source ? `\n\nLine ${explanation.line}: ${source}` : '';
  return message
    ? `${explanation.sentence}${quoted}\n\n${message}`
    : `${explanation.sentence}${quoted}`;
}

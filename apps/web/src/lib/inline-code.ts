/** A piece of a sentence: plain words, or a name to show as code. */
export interface TextPart {
  text: string;
  code: boolean;
}

/**
 * Splits a sentence from the server at its backticks ("no function named `sum`"): the words
 * between a pair are code. An unpaired backtick, or one inside a longer run, stays as it is.
 */
export function inlineCodeParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index), code: false });
    parts.push({ text: match[1], code: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), code: false });
  return parts;
}

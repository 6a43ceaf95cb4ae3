import {
  ASSIGNMENT_KINDS,
  MAX_HINTS,
  MAX_LIMITS,
  MAX_PROGRAM_CASES,
  OUTPUT_COMPARISONS,
} from '@koodi/contracts';
import { z } from 'zod';

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const limitsSchema = z.strictObject({
  cpuSeconds: z.number().positive().max(MAX_LIMITS.cpuSeconds),
  wallSeconds: z.number().positive().max(MAX_LIMITS.wallSeconds),
  memoryMb: z.int().positive().max(MAX_LIMITS.memoryMb),
  outputKb: z.int().positive().max(MAX_LIMITS.outputKb),
});

const hintText = z.string().trim().min(1).max(2_000);

/**
 * Hints in the order they are revealed: a plain string, or `{ text, afterFailures }` to hold one
 * back until the student has made that many failed submissions.
 */
export const hintsSchema = z
  .array(
    z.union([
      hintText,
      z.strictObject({ text: hintText, afterFailures: z.int().min(0).max(100).optional() }),
    ]),
  )
  .max(MAX_HINTS);

/** The YAML front matter of assignment.md. */
export const frontMatterSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  position: z.int().positive(),
  /** `function` (default): tests import the code; `program`: it reads stdin, cases in cases.yaml. */
  kind: z.enum(ASSIGNMENT_KINDS).optional(),
  /** For a program: how its stdout meets the expected (default exact). */
  compare: z.enum(OUTPUT_COMPARISONS).optional(),
  /** Required for `function`; for `program` only the name its tracebacks show (default main). */
  module: z
    .string()
    .max(100)
    .regex(
      PYTHON_IDENTIFIER,
      'must be a Python module name (letters, digits, _; not starting with a digit)',
    )
    .optional(),
  limits: limitsSchema.partial().optional(),
  /** Shown one at a time on request, in this order (the content hash covers them with the file). */
  hints: hintsSchema.optional(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** cases.yaml of a `program` assignment. */
export const casesFileSchema = z.strictObject({
  cases: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1).max(200),
        /** Shown to the student as a sample. */
        visible: z.boolean().optional(),
        stdin: z.string(),
        stdout: z.string(),
      }),
    )
    .min(1)
    .max(MAX_PROGRAM_CASES),
});

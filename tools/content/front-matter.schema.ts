import { MAX_LIMITS } from '@koodi/contracts';
import { z } from 'zod';

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const limitsSchema = z.strictObject({
  cpuSeconds: z.number().positive().max(MAX_LIMITS.cpuSeconds),
  wallSeconds: z.number().positive().max(MAX_LIMITS.wallSeconds),
  memoryMb: z.int().positive().max(MAX_LIMITS.memoryMb),
  outputKb: z.int().positive().max(MAX_LIMITS.outputKb),
});

/** The YAML front matter of assignment.md. */
export const frontMatterSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  position: z.int().positive(),
  module: z
    .string()
    .max(100)
    .regex(
      PYTHON_IDENTIFIER,
      'must be a Python module name (letters, digits, _; not starting with a digit)',
    ),
  limits: limitsSchema.partial().optional(),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

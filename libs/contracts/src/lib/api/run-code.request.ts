import { z } from 'zod';
import { submitCodeRequestSchema } from './submit-code.request';

/** `POST /api/assignments/:idOrSlug/runs`: the code, and optionally what the program reads on stdin. */
export const runCodeRequestSchema = submitCodeRequestSchema.extend({
  stdin: z
    .string({ error: 'stdin must be a string' })
    .refine((stdin) => !stdin.includes('\u0000'), { error: 'stdin must not contain NUL bytes' })
    .refine(
      (stdin) => !/[\uD800-\uDFFF]/.test(stdin.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
      {
        error: 'stdin must be valid UTF-8',
      },
    )
    .optional(),
});

export type RunCodeRequest = z.infer<typeof runCodeRequestSchema>;

import { z } from 'zod';

export const submitCodeRequestSchema = z.object({
  code: z
    .string({ error: 'code must be a string' })
    .min(1, { error: 'code must not be empty' })
    .refine((code) => !code.includes('\u0000'), { error: 'code must not contain NUL bytes' })
    .refine(
      (code) => !/[\uD800-\uDFFF]/.test(code.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
      {
        error: 'code must be valid UTF-8',
      },
    ),
});

export type SubmitCodeRequest = z.infer<typeof submitCodeRequestSchema>;

import { z } from 'zod';

/** The reference error envelope, for the OpenAPI document. */
export const ErrorBodySchema = z
  .object({
    message: z.string(),
    detail: z.string().optional(),
    validations: z.array(z.object({ field: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Response' });

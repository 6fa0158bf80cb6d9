import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, renderApiTypes } from '../../../web/scripts/api-types.mjs';
import { openApiDocument } from '../index.js';

describe('the generated API types', () => {
  it('are what `npm run api:types` makes of the schemas as they are now', async () => {
    const generated = await renderApiTypes(openApiDocument('0.0.0'));
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    expect(
      committed,
      'src/api/generated/openapi.ts is stale: an API schema changed; run `npm run api:types` and commit it',
    ).toBe(generated);
  });
});

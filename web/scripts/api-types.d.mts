/** Where the generated API types live (src/api/generated/openapi.ts). */
export const GENERATED_FILE: string;

/** The text of src/api/generated/openapi.ts for an OpenAPI document, as `npm run api:types` writes it. */
export function renderApiTypes(document: Record<string, unknown>): Promise<string>;

import { describe, expect, it } from 'vitest';
import { apiRoutes } from './index.js';
import { buildOpenApi } from './openapi.js';

type Doc = {
  paths: Record<
    string,
    Record<string, { parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>
  >;
  components: { schemas: Record<string, unknown> };
};
const doc = buildOpenApi(apiRoutes, '1.2.3') as unknown as Doc;

function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [item] : refsOf(item),
  );
}

describe('the OpenAPI document', () => {
  it('describes the management API with the parameters the server reads', () => {
    const params = (path: string) => doc.paths[path]?.get?.parameters.map((p) => `${p.in}:${p.name}`);
    expect(params('/api/v2/aibridge/interceptions')).toEqual([
      'query:q',
      'query:after_id',
      'query:limit',
      'query:offset',
    ]);
    expect(params('/api/v2/aibridge/sessions')).toEqual([
      'query:q',
      'query:after_session_id',
      'query:after_initiator_id',
      'query:after_id',
      'query:limit',
      'query:offset',
    ]);
    expect(params('/api/v2/aibridge/sessions/{session_id}')).toEqual([
      'path:session_id',
      'query:after_id',
      'query:before_id',
      'query:limit',
      'query:initiator',
    ]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v2/aibridge/models',
        '/api/v2/aibridge/clients',
        '/api/v2/users/{user}/keys',
      ]),
    );
  });

  it('names shared schemas once, under components, and every reference resolves', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'AIBridgeInterception',
        'AIBridgeListSessionsResponse',
        'AIBridgeSessionThreadsResponse',
        'MinimalUser',
        'Response',
        'User',
      ]),
    );
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas).toHaveProperty(ref.split('/').at(-1) as string);
    }
    expect(refsOf(doc.paths['/api/v2/aibridge/sessions'])).toContain(
      '#/components/schemas/AIBridgeListSessionsResponse',
    );
  });
});

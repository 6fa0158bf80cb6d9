import { expect, it } from 'vitest';
import { describeEachServer } from '../server.js';

const PATHS = [
  '/api/v2/aibridge/interceptions?q=%00',
  '/api/v2/aibridge/interceptions?q=model%3Aa%00b',
  '/api/v2/aibridge/interceptions?q=%ED%A0%80',
  '/api/v2/aibridge/sessions?q=%00',
  '/api/v2/aibridge/sessions?q=client%3A%00',
  '/api/v2/aibridge/sessions/a%00b',
  '/api/v2/users?q=%00',
  '/api/v2/aibridge/usage?q=%00',
];

describeEachServer('hostile input on the API', (server) => {
  it('answers NUL bytes and invalid UTF-8 in filters and ids with a 4xx, never a 500', async () => {
    for (const path of PATHS) {
      const res = await fetch(`${server().url}${path}`, {
        headers: { 'coder-session-token': server().ownerToken },
      });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(await res.json(), path).toHaveProperty('message');
    }
  });
});

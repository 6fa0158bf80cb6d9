import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';

describe('upstreamRequestHeaders', () => {
  it('keeps client headers in their spelling and order, minus hop-by-hop, credentials and what Connection names', () => {
    const raw = [
      'Host',
      'aibridge:3000',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      'secret',
      'Authorization',
      'Bearer aibridge-token',
      'X-Api-Key',
      'aibridge-token',
      'anthropic-beta',
      'claude-code-20250219',
      'Content-Length',
      '12',
      'Transfer-Encoding',
      'chunked',
      'Accept-Encoding',
      'gzip, br',
      'Expect',
      '100-continue',
      'X-Stainless-Lang',
      'js',
    ];
    expect(upstreamRequestHeaders(raw, ['x-api-key', 'provider-key'])).toEqual([
      'anthropic-beta',
      'claude-code-20250219',
      'X-Stainless-Lang',
      'js',
      'x-api-key',
      'provider-key',
    ]);
  });
});

describe('clientResponseHeaders', () => {
  it('relays provider headers except hop-by-hop ones and adds aibridge headers', () => {
    expect(
      clientResponseHeaders(
        {
          'content-type': 'text/event-stream',
          connection: 'keep-alive',
          'transfer-encoding': 'chunked',
          'x-request-id': 'r1',
          'set-cookie': ['a', 'b'],
        },
        { 'x-aibridge-interception-id': 'id' },
      ),
    ).toEqual({
      'content-type': 'text/event-stream',
      'x-request-id': 'r1',
      'set-cookie': ['a', 'b'],
      'x-aibridge-interception-id': 'id',
    });
  });
});

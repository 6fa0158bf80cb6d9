import { describe, expect, it } from 'vitest';
import { CHAT_STREAM_WITH_USAGE } from '../../../../test/gateway/streams.js';
import { HiddenUsageFilter } from './hidden-usage.js';

const WITHOUT_USAGE = [
  'data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"hel"},"finish_reason":null}]}\n\n',
  'data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n',
  'data: [DONE]\n\n',
].join('');

function run(pieces: Buffer[]): string {
  const filter = new HiddenUsageFilter();
  const out = pieces.map((piece) => filter.chunk(piece));
  out.push(filter.end());
  return Buffer.concat(out).toString('utf8');
}

describe('HiddenUsageFilter', () => {
  it('drops the usage-only chunk and the usage:null members, keeping every other byte', () => {
    expect(run([Buffer.from(CHAT_STREAM_WITH_USAGE)])).toBe(WITHOUT_USAGE);
  });

  it('gives the same bytes however the stream is cut', () => {
    const whole = Buffer.from(CHAT_STREAM_WITH_USAGE);
    for (const size of [1, 2, 7, 64, 200]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < whole.length; i += size) pieces.push(whole.subarray(i, i + size));
      expect(run(pieces), `pieces of ${size}`).toBe(WITHOUT_USAGE);
    }
  });

  it('takes out a first member in a CRLF event, and leaves alone what is not a chunk', () => {
    const crlf = 'data: {"usage":null, "choices":[{"delta":{"content":"\\"usage\\":null"}}]}\r\n\r\n';
    expect(run([Buffer.from(crlf)])).toBe(
      'data: { "choices":[{"delta":{"content":"\\"usage\\":null"}}]}\r\n\r\n',
    );
    const comment = ': keep-alive\n\nevent: x\ndata: not json usage\n\n';
    expect(run([Buffer.from(comment)])).toBe(comment);
    const withUsage = 'data: {"choices":[{"index":0}],"usage":{"prompt_tokens":1}}\n\n';
    expect(run([Buffer.from(withUsage)])).toBe(withUsage);
    expect(run([Buffer.from('data: {"usage":null')])).toBe('data: {"usage":null');
  });
});

import { describe, expect, it } from 'vitest';
import { clientVersion } from './client-version.js';

describe('clientVersion', () => {
  it('reads the version each client puts in its User-Agent', () => {
    expect(clientVersion('Claude Code', 'claude-cli/2.1.197 (external, cli)')).toBe('2.1.197');
    expect(clientVersion('Codex', 'codex_exec/0.171.0 (Ubuntu 24.4.0; x86_64) xterm')).toBe('0.171.0');
    expect(clientVersion('OpenAI SDK (JS)', 'OpenAI/JS 6.49.0')).toBe('6.49.0');
    expect(clientVersion('opencode', 'opencode/1.18.33 ai-sdk/provider-utils/4.0.23')).toBe('1.18.33');
    expect(clientVersion('Cline', 'Cline/4.1.16-beta.2 ai-sdk/openai-compatible/1.0.0')).toBe(
      '4.1.16-beta.2',
    );
  });

  it('names an unknown client by its first product, and gives nothing when there is none', () => {
    expect(clientVersion('Unknown', 'curl/8.5.0')).toBe('curl/8.5.0');
    expect(clientVersion('Unknown', undefined)).toBe('');
    expect(clientVersion('Cursor', undefined)).toBe('');
    expect(clientVersion('Unknown', 'x'.repeat(300))).toHaveLength(64);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { loadPromptPolicy, recordedText } from './prompt-policy.js';

describe('prompt policy', () => {
  it('defaults to recording everything, readable by its owner', () => {
    expect(loadPromptPolicy({})).toEqual({ recording: 'full', truncateChars: 2000, readers: 'everyone' });
  });

  it('reads the three variables, case-insensitively', () => {
    const policy = loadPromptPolicy({
      AIBRIDGE_PROMPT_RECORDING: 'Truncated',
      AIBRIDGE_PROMPT_TRUNCATE_CHARS: '5',
      AIBRIDGE_PROMPT_READERS: 'OWNERS',
    });
    expect(policy).toEqual({ recording: 'truncated', truncateChars: 5, readers: 'owners' });
    expect(recordedText('hello world', policy)).toBe('hello');
    expect(recordedText('hi', policy)).toBe('hi');
    expect(recordedText('anything', { ...policy, recording: 'off' })).toBe('');
    expect(recordedText('anything', { ...policy, recording: 'full' })).toBe('anything');
  });

  it('never cuts a surrogate pair in half', () => {
    const policy = { recording: 'truncated', truncateChars: 2, readers: 'everyone' } as const;
    expect(recordedText('a😀b', policy)).toBe('a');
  });

  it('refuses bad values at start with the variable named (exit 2)', () => {
    expect(() => loadConfig({}, { AIBRIDGE_PROMPT_RECORDING: 'some' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { AIBRIDGE_PROMPT_RECORDING: 'some' })).toThrow(/AIBRIDGE_PROMPT_RECORDING/);
    expect(() => loadConfig({}, { AIBRIDGE_PROMPT_TRUNCATE_CHARS: '0' })).toThrow(
      /AIBRIDGE_PROMPT_TRUNCATE_CHARS/,
    );
    expect(() => loadConfig({}, { AIBRIDGE_PROMPT_READERS: 'nobody' })).toThrow(/AIBRIDGE_PROMPT_READERS/);
  });
});

import { describe, expect, it } from 'vitest';
import { generateToken, hashSecret, isValidToken, parseToken, secretMatches } from './token.js';

describe('tokens', () => {
  it('have the Coder format and differ every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { token, id, secret } = generateToken();
      expect(token).toMatch(/^[a-zA-Z0-9]{10}-[a-zA-Z0-9]{22}$/);
      expect(token).toBe(`${id}-${secret}`);
      seen.add(token);
    }
    expect(seen.size).toBe(200);
  });

  it('parse only in the exact format', () => {
    expect(parseToken('abcdefghij-abcdefghijabcdefghijab')).toEqual({
      id: 'abcdefghij',
      secret: 'abcdefghijabcdefghijab',
    });
    for (const bad of [
      '',
      'abc',
      'abcdefghij-short',
      ' abcdefghij-abcdefghijabcdefghijab',
      'abcdefghij_abcdefghijabcdefghijab',
    ]) {
      expect(parseToken(bad)).toBeUndefined();
      expect(isValidToken(bad)).toBe(false);
    }
  });

  it('are checked against a SHA-256 hash, never stored in clear', () => {
    const { secret } = generateToken();
    const hash = hashSecret(secret);
    expect(hash).toHaveLength(32);
    expect(hash.toString('utf8')).not.toContain(secret);
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(`${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`, hash)).toBe(false);
  });
});

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secretHint } from './hint.js';
import { loadSecretKey, SECRET_KEY_FILE, SecretBox, SecretBoxError } from './secret-box.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('seals a key so the stored text does not contain it, and opens it back', () => {
    const sealed = box.seal('sk-live-secret-1234');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('sk-live');
    expect(box.seal('sk-live-secret-1234')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('sk-live-secret-1234');
  });

  it('refuses a value sealed with another key, or altered', () => {
    const sealed = box.seal('sk-live-secret-1234');
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toThrow(SecretBoxError);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(() => box.open(`v1.${raw.toString('base64')}`)).toThrow(SecretBoxError);
    expect(() => box.open('plain')).toThrow(SecretBoxError);
  });
});

describe('loadSecretKey', () => {
  it('uses the configured key when there is one', async () => {
    const key = Buffer.alloc(32, 3);
    expect(await loadSecretKey(key, '/nonexistent')).toBe(key);
  });

  it('generates a key into the data directory with mode 0600, then reads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aibridge-secret-'));
    dirs.push(dir);
    const key = await loadSecretKey(undefined, join(dir, 'data'));
    const path = join(dir, 'data', SECRET_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')).toEqual(key);
    expect(await loadSecretKey(undefined, join(dir, 'data'))).toEqual(key);
  });
});

describe('secretHint', () => {
  it('shows only a few characters at each end', () => {
    expect(secretHint('sk-proj-abcdefghijklmnopa1b2')).toBe('sk-…a1b2');
    expect(secretHint('abcdefghijkl')).toBe('ab…kl');
    expect(secretHint('abcdef')).toBe('a…f');
    expect(secretHint('abc')).toBe('…');
  });
});

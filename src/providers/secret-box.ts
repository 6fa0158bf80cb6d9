import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value cannot be opened: wrong secret key, or the value was altered. */
export class SecretBoxError extends Error {}

/**
 * Seals provider keys at rest with AES-256-GCM (random 96-bit IV per value, 128-bit tag):
 * a database dump or backup alone does not reveal them, and a changed ciphertext is refused
 * rather than decrypted into garbage. The format is `v1.<base64 iv|tag|ciphertext>`.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a SecretBox key is 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    const [version, data] = sealed.split('.', 2);
    if (version !== VERSION || !data) throw new SecretBoxError('not a sealed value');
    const raw = Buffer.from(data, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed value too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError(
        'cannot decrypt: AIBRIDGE_SECRET_KEY is not the key these values were sealed with',
      );
    }
  }
}

/** Where the generated key lives in the data directory. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The configured key, else the one in `<dataDir>/secret.key`, generated there (mode 0600) on
 * first start, so the embedded setup needs no configuration. Replicas sharing a PostgreSQL
 * database must all be given the same `AIBRIDGE_SECRET_KEY` instead.
 */
export async function loadSecretKey(configured: Buffer | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return configured;
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    const stored = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
    if (stored.length === 32) return stored;
    throw new Error(`${path} does not hold a 32-byte base64 key`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing the data directory wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(undefined, dataDir);
    throw error;
  }
  await chmod(path, 0o600);
  return key;
}

/**
 * The secret box, made on first use: a server with no provider keys never needs one, so it
 * writes no key file (tests and the CLI's offline commands stay side-effect free).
 */
export class Secrets {
  private box: Promise<SecretBox> | undefined;

  constructor(
    private readonly configured: Buffer | undefined,
    private readonly dataDir: string,
  ) {}

  async seal(plain: string): Promise<string> {
    return (await this.opened()).seal(plain);
  }

  async open(sealed: string): Promise<string> {
    return (await this.opened()).open(sealed);
  }

  private opened(): Promise<SecretBox> {
    this.box ??= loadSecretKey(this.configured, this.dataDir).then((key) => new SecretBox(key));
    return this.box;
  }
}

import type { Registry } from 'prom-client';
import type { Database } from '../db/database.js';
import type { ProviderRow } from '../db/schema/index.js';
import type { Provider } from '../gateway/provider.js';
import { buildProvider } from '../gateway/providers/index.js';
import type { UpstreamTimeouts } from '../gateway/upstream.js';
import type { Logger } from '../log.js';
import type { KeyState } from './key-pool.js';
import { ProviderMetrics } from './metrics.js';
import { SecretBoxError, type Secrets } from './secret-box.js';
import { PROVIDERS_CHANGED_CHANNEL, ProviderStore, withoutKeys } from './store.js';

/** How often the table is checked even without a notification (a lost NOTIFY, a reconnect). */
const POLL_MS = 2000;

/**
 * The provider instances this replica serves, held in memory for the hot path (one map
 * lookup per request) and rebuilt from `aibridge_providers` when any replica changes it:
 * at once on NOTIFY, and at worst within `POLL_MS` by a cheap fingerprint poll. An instance
 * whose row did not change keeps its Provider (warm connections, key cooldowns, breakers).
 */
export class ProviderRegistry {
  private current = new Map<string, Provider>();
  private rows = new Map<string, string>();
  /** Instances whose keys this process cannot decrypt, with the row fingerprint last logged. */
  private unreadable = new Map<string, string>();
  private version = '';
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  readonly store: ProviderStore;
  readonly metrics: ProviderMetrics;

  constructor(
    private readonly db: Database,
    secrets: Secrets,
    private readonly log: Logger,
    registry: Registry,
    /** AIBRIDGE_UPSTREAM_*_TIMEOUT: what an instance without its own timeouts gets. */
    private readonly timeouts: UpstreamTimeouts,
    private readonly pollMs = POLL_MS,
  ) {
    this.store = new ProviderStore(db.kysely, secrets);
    this.metrics = new ProviderMetrics(registry, log);
  }

  /** The instances by name, as the gateway resolves routes against them. */
  get providers(): ReadonlyMap<string, Provider> {
    return this.current;
  }

  /**
   * Instances stored with keys this process cannot decrypt (another AIBRIDGE_SECRET_KEY sealed
   * them): `/readyz` reports them and fails, and their routes answer 503.
   */
  get undecryptable(): string[] {
    return [...this.unreadable.keys()];
  }

  /** Each key of an instance as this replica knows it, or undefined when it is not served. */
  keyStates(name: string): KeyState[] | undefined {
    const provider = this.current.get(name);
    return provider && !provider.unavailable ? provider.keys.states() : undefined;
  }

  /** Loads the instances, then follows changes. */
  async start(): Promise<void> {
    await this.reload();
    await this.db.listen(PROVIDERS_CHANGED_CHANNEL, () => void this.refresh());
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** Tells every replica (this one included) to reload; the API calls it after each change. */
  async changed(): Promise<void> {
    await this.db.notify(PROVIDERS_CHANGED_CHANNEL, '');
    await this.refresh();
  }

  /** Reloads now; concurrent calls share one reload and one more after it. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.reload()
      .catch((error: unknown) =>
        this.log.error({ err: error }, 'providers: reload failed; keeping the last ones'),
      )
      .finally(() => {
        this.loading = undefined;
        if (this.again) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.loading;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.loading;
    await Promise.all([...this.current.values()].map((p) => p.upstream.close()));
  }

  private async poll(): Promise<void> {
    try {
      if ((await this.store.version()) !== this.version) await this.refresh();
    } catch (error) {
      this.log.warn({ err: error }, 'providers: could not check for changes');
    }
  }

  private async reload(): Promise<void> {
    const version = await this.store.version();
    const rows = await this.store.list();
    const next = new Map<string, Provider>();
    const nextRows = new Map<string, string>();
    for (const row of rows) {
      const fingerprint = fingerprintOf(row);
      nextRows.set(row.name, fingerprint);
      const kept = this.current.get(row.name);
      if (kept && this.rows.get(row.name) === fingerprint) {
        next.set(row.name, kept);
        continue;
      }
      const built = await this.build(row, fingerprint);
      if (!built) continue;
      if (kept && !kept.unavailable && !built.unavailable) built.keys.adopt(kept.keys);
      next.set(row.name, built);
    }
    for (const name of this.unreadable.keys()) if (!nextRows.has(name)) this.unreadable.delete(name);
    this.metrics.undecryptable(this.undecryptable);
    const previous = this.current;
    this.current = next;
    this.rows = nextRows;
    this.version = version;
    for (const [name, provider] of previous) {
      if (next.get(name) === provider) continue;
      this.metrics.forget(provider.breakers);
      // In-flight requests finish on the old pool; close() waits for them.
      void provider.upstream.close().catch(() => {});
    }
  }

  private async build(row: ProviderRow, fingerprint: string): Promise<Provider | undefined> {
    try {
      const instance = await this.store.open(row);
      this.unreadable.delete(row.name);
      return buildProvider(
        instance,
        this.metrics.breakersFor(instance.name, instance.settings),
        this.timeouts,
      );
    } catch (error) {
      if (error instanceof SecretBoxError) return this.unusable(row, fingerprint);
      this.log.error(
        { err: error, provider: row.name },
        'providers: cannot load this instance; it is not served',
      );
      return undefined;
    }
  }

  /**
   * An instance whose keys do not decrypt here: still routed (so its clients get a 503 in its
   * own error shape rather than a 404) but never sent upstream. Logged once per row version;
   * neither secret key is ever printed.
   */
  private unusable(row: ProviderRow, fingerprint: string): Provider {
    if (this.unreadable.get(row.name) !== fingerprint) {
      this.log.error(
        { provider: row.name },
        `providers: cannot decrypt the stored keys of provider "${row.name}": this process's AIBRIDGE_SECRET_KEY differs from the one that encrypted them; give every replica the same AIBRIDGE_SECRET_KEY (this replica reports not ready until then)`,
      );
    }
    this.unreadable.set(row.name, fingerprint);
    return {
      ...buildProvider(withoutKeys(row), undefined, this.timeouts),
      unavailable: `aibridge cannot decrypt the keys of provider "${row.name}" on this replica (its AIBRIDGE_SECRET_KEY differs from the one that encrypted them); ask an operator to give every replica the same AIBRIDGE_SECRET_KEY`,
    };
  }
}

function fingerprintOf(row: ProviderRow): string {
  return JSON.stringify([row.type, row.base_url, row.headers, row.models, row.byok, row.settings, row.keys]);
}

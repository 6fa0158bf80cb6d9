import { isDatabaseUnavailable } from './errors.js';

/** A change of the database's reachability, as logged once per outage. */
export type HealthChange =
  | { state: 'down'; error: unknown }
  | { state: 'up'; downForMs: number; failures: number };

/** Seconds a client is told to wait (Retry-After) while the database is unavailable. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Whether the database is reachable, learned from the failures callers report. An outage is
 * announced once when the first failure arrives and once when a probe (`select 1`, once a
 * second) succeeds again, so thousands of failed requests make two log lines, not a stack each.
 */
export class DatabaseHealth {
  private downSince: number | undefined;
  private failures = 0;
  /** Unavailability failures reported since start (the database errors metric). */
  totalFailures = 0;
  private probe: NodeJS.Timeout | undefined;
  private readonly listeners: Array<(change: HealthChange) => void> = [];
  private closed = false;

  constructor(
    private readonly check: () => Promise<unknown>,
    private readonly probeMs = 1000,
  ) {}

  /** True from the first unavailability failure until a probe succeeds. */
  get down(): boolean {
    return this.downSince !== undefined;
  }

  onChange(listener: (change: HealthChange) => void): void {
    this.listeners.push(listener);
  }

  /** True (and the outage noted) when `error` means the database is unavailable. */
  failed(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    this.failures++;
    this.totalFailures++;
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.failures = 1;
      for (const listener of this.listeners) listener({ state: 'down', error });
      this.scheduleProbe();
    }
    return true;
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.probe = setTimeout(() => {
      this.check().then(
        () => this.recovered(),
        () => this.scheduleProbe(),
      );
    }, this.probeMs);
    this.probe.unref();
  }

  private recovered(): void {
    if (this.downSince === undefined) return;
    const change: HealthChange = {
      state: 'up',
      downForMs: Date.now() - this.downSince,
      failures: this.failures,
    };
    this.downSince = undefined;
    for (const listener of this.listeners) listener(change);
  }

  close(): void {
    this.closed = true;
    if (this.probe) clearTimeout(this.probe);
  }
}

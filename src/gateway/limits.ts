/**
 * The per-replica cap on concurrent gateway requests (`AIBRIDGE_MAX_CONCURRENCY`): beyond it
 * requests are refused at once (503 with Retry-After) rather than queued, so an overloaded
 * replica sheds load instead of piling up memory and latency. 0 means no cap. It stays per
 * replica on purpose: what it protects (this process's memory, sockets and event loop) is per
 * replica, a load balancer retries a shed request elsewhere, and a shared counter would cost a
 * store round trip at the start and end of every request and leak slots when a replica dies.
 */
export class ConcurrencyLimiter {
  private active = 0;

  constructor(private readonly max: number) {}

  tryAcquire(): boolean {
    if (this.max > 0 && this.active >= this.max) return false;
    this.active++;
    return true;
  }

  release(): void {
    this.active--;
  }
}

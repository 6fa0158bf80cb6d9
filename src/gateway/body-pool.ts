/** Bodies under this size are allocated as they come (the allocator recycles small blocks well). */
const MIN_POOLED_BYTES = 256 * 1024;
/** At most this much memory waits in the pool between requests. */
const DEFAULT_MAX_IDLE_BYTES = 64 * 1024 * 1024;

/**
 * Reusable memory for large request bodies. A fresh multi-megabyte buffer costs more CPU than
 * the bytes it holds: the allocator maps new pages for it and the kernel faults each one in
 * (about half of what a 3 MB agent request cost the gateway), and the garbage collector then
 * has to find it again. A body read into memory that the previous large request gave back
 * skips both. Blocks come in powers of two from 256 KiB; the pool keeps at most
 * `maxIdleBytes` of them idle, so a burst of huge bodies leaves no lasting footprint.
 *
 * A body may only be given back when nothing can still read it: not the upstream socket, not
 * the recorder (its prompt is copied out first). The interceptor decides that; a body that is
 * never given back is simply collected as any other buffer.
 */
export class BodyPool {
  private readonly idle = new Map<number, Buffer[]>();
  private readonly owners = new WeakMap<Buffer, Buffer>();
  private idleBytes = 0;

  constructor(private readonly maxIdleBytes = DEFAULT_MAX_IDLE_BYTES) {}

  /** A buffer of exactly `length` bytes (uninitialised), from the pool when the size is worth it. */
  acquire(length: number): Buffer {
    if (length < MIN_POOLED_BYTES) return Buffer.allocUnsafe(length);
    const size = blockSize(length);
    const reused = this.idle.get(size)?.pop();
    if (reused) this.idleBytes -= size;
    const block = reused ?? Buffer.allocUnsafeSlow(size);
    const view = block.subarray(0, length);
    this.owners.set(view, block);
    return view;
  }

  /**
   * Gives a body back for a later request. Only buffers `acquire` handed out are taken, each
   * once; anything else (a small or decoded body) is left to the garbage collector.
   */
  release(body: Buffer): void {
    const block = this.owners.get(body);
    if (!block) return;
    this.owners.delete(body);
    if (this.idleBytes + block.length > this.maxIdleBytes) return;
    const list = this.idle.get(block.length);
    if (list) list.push(block);
    else this.idle.set(block.length, [block]);
    this.idleBytes += block.length;
  }

  /** Bytes waiting in the pool (for tests). */
  get idleSize(): number {
    return this.idleBytes;
  }
}

function blockSize(length: number): number {
  let size = MIN_POOLED_BYTES;
  while (size < length) size *= 2;
  return size;
}

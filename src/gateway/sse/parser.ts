const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

/** Receives each complete event: its `event:` name (if any) and its `data:` bytes (if kept). */
export type SseEventHandler = (name: string | undefined, data: Buffer | undefined) => void;

/** Decides, from the event name, whether an event's data is worth keeping (undefined name = no `event:` line yet). */
export type SseDataFilter = (name: string | undefined) => boolean;

const keepAll: SseDataFilter = () => true;

/**
 * Incremental Server-Sent Events parser over raw bytes, fed a copy of what the relay writes to
 * the client. It never re-encodes anything and hands each event's data over as a view of the
 * chunk when the line fits in one chunk (the usual case), so the only per-event costs are a
 * `memchr` per line and whatever the consumer chooses to parse. Events whose name the filter
 * rejects (e.g. Anthropic text deltas) have their data skipped without being copied.
 *
 * Lines end with LF or CRLF. An unterminated last event is delivered by `flush()`, which is
 * lenient on purpose: a provider that closes right after `data: [DONE]` still counts.
 */
export class SseParser {
  /**
   * The pieces of a line that has not ended yet, joined once its LF arrives: a line of many
   * megabytes (one large event) then costs one copy, not one per chunk.
   */
  private carry: Buffer[] = [];
  private name: string | undefined;
  private data: Buffer | undefined;
  private dataLines = 0;
  private skipData = false;

  constructor(
    private readonly onEvent: SseEventHandler,
    private readonly wantData: SseDataFilter = keepAll,
  ) {}

  feed(chunk: Buffer): void {
    let start = 0;
    if (this.carry.length > 0) {
      const lf = chunk.indexOf(LF);
      if (lf === -1) {
        this.carry.push(Buffer.from(chunk));
        return;
      }
      this.carry.push(chunk.subarray(0, lf));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.line(line, 0, line.length);
      start = lf + 1;
    }
    const length = chunk.length;
    while (start < length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        this.carry.push(Buffer.from(chunk.subarray(start)));
        return;
      }
      this.line(chunk, start, lf);
      start = lf + 1;
    }
  }

  /** The body is over: deliver an event that lacked its closing blank line. */
  flush(): void {
    if (this.carry.length > 0) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.line(line, 0, line.length);
    }
    if (this.dataLines > 0 || this.name !== undefined) this.dispatch();
  }

  private line(buf: Buffer, start: number, lfAt: number): void {
    const end = lfAt > start && buf[lfAt - 1] === CR ? lfAt - 1 : lfAt;
    if (end === start) {
      this.dispatch();
      return;
    }
    if (buf[start] === COLON) return;
    let colon = buf.indexOf(COLON, start);
    if (colon === -1 || colon > end) colon = end;
    const field = buf.toString('latin1', start, colon);
    let valueStart = colon + 1;
    if (buf[valueStart] === SPACE) valueStart++;
    if (valueStart > end) valueStart = end;
    if (field === 'data') {
      this.dataLines++;
      if (this.dataLines === 1) this.skipData = !this.wantData(this.name);
      if (this.skipData) return;
      const value = buf.subarray(valueStart, end);
      this.data = this.data ? Buffer.concat([this.data, Buffer.from([LF]), value]) : value;
    } else if (field === 'event') {
      this.name = buf.toString('utf8', valueStart, end);
    }
  }

  private dispatch(): void {
    if (this.dataLines === 0 && this.name === undefined) return;
    const name = this.name;
    const data = this.skipData ? undefined : this.data;
    this.name = undefined;
    this.data = undefined;
    this.dataLines = 0;
    this.skipData = false;
    this.onEvent(name, data);
  }
}

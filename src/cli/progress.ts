import { Presets, SingleBar } from 'cli-progress';
import { fullNumber, humanDuration } from './format.js';

/** What an export reports as it goes. */
export interface Progress {
  /** The rows expected in all (the API's `count`); undefined when unknown (no ETA then). */
  start(total: number | undefined): void;
  update(rows: number): void;
  /** Removes the bar and leaves one summary line. */
  stop(summary?: string): void;
}

const silent: Progress = { start() {}, update() {}, stop() {} };

/**
 * A progress bar on stderr (rows, rate, ETA from the expected total), and nothing at all
 * when stderr is not a terminal: logs and pipes get no control characters.
 */
export function progressBar(noun: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silent;
  let bar: SingleBar | undefined;
  let started = 0;
  const rate = (rows: number) => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? fullNumber(Math.round(rows / seconds)) : '…';
  };
  return {
    start(total) {
      started = Date.now();
      const format =
        total === undefined
          ? `{value} ${noun} | {rate} rows/s | {duration_formatted}`
          : `{bar} {percentage}% | {value}/{total} ${noun} | {rate} rows/s | ETA {eta_formatted}`;
      bar = new SingleBar(
        { format, stream, hideCursor: true, clearOnComplete: true, etaBuffer: 50, fps: 5, barsize: 30 },
        Presets.shades_classic,
      );
      bar.start(total ?? 0, 0, { rate: '…' });
    },
    update(rows) {
      bar?.update(rows, { rate: rate(rows) });
    },
    stop(summary) {
      bar?.stop();
      bar = undefined;
      if (summary) stream.write(`${summary}\n`);
    },
  };
}

/** "Exported 10,000 interceptions in 3s (3,300 rows/s)." */
export function exportSummary(noun: string, rows: number, ms: number, where: string): string {
  const perSecond = ms > 0 ? ` (${fullNumber(Math.round((rows * 1000) / ms))} rows/s)` : '';
  return `Exported ${fullNumber(rows)} ${noun} to ${where} in ${humanDuration(ms)}${perSecond}.`;
}

import { errorMessage } from '../errors.js';

/**
 * Stops gracefully on the first SIGTERM or SIGINT (exit 0 once `stop` resolves, 1 if it
 * fails) and at once on the second, so a stuck shutdown can always be cut short.
 */
export function stopOnSignals(label: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${label}: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${label}: shutdown failed: ${errorMessage(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

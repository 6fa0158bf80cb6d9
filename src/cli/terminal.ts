import picocolors from 'picocolors';

/** Formatters that colour text, or leave it alone when colour is off. */
type Colors = ReturnType<typeof picocolors.createColors>;

/** What output to a stream may use: colour, and the width to fit lines into. */
export interface Terminal {
  colors: Colors;
  /** Columns to fit in; undefined when nothing limits the width (output to a pipe or file). */
  width: number | undefined;
  isTTY: boolean;
}

/**
 * Colour only on a TTY and never with `NO_COLOR` (https://no-color.org: set and not empty);
 * the width of a TTY, else `COLUMNS` when set (so pipes and tests can ask for one).
 */
export function terminalOf(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Terminal {
  const isTTY = stream.isTTY === true;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const columns = isTTY ? stream.columns : Number(env.COLUMNS);
  return {
    colors: picocolors.createColors(isTTY && !noColor),
    width: Number.isInteger(columns) && columns > 0 ? columns : undefined,
    isTTY,
  };
}

import Table from 'cli-table3';
import stringWidth from 'string-width';
import { oneLine } from './format.js';
import type { Column } from './output.js';
import type { Terminal } from './terminal.js';

const GAP = 2;
/** The long-text column keeps at least this many columns, even on a narrow terminal. */
const MIN_FLEX_WIDTH = 12;

const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' '.repeat(GAP),
};

/**
 * A borderless table in the style of kubectl and gh: upper-case headers (bold on a colour
 * terminal), one line per row, the flex column cut with `…` so rows fit the terminal.
 */
export function renderTable<T>(columns: Array<Column<T>>, rows: T[], terminal: Terminal): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row, terminal))));
  const natural = columns.map((column, i) =>
    Math.max(stringWidth(column.header), ...cells.map((row) => stringWidth(row[i] ?? ''))),
  );
  const widths = terminal.width === undefined ? natural : fitted(columns, natural, terminal.width);
  const table = new Table({
    head: columns.map((column) => terminal.colors.bold(column.header)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colWidths: widths,
    colAligns: columns.map((column) => column.align ?? 'left'),
    wordWrap: false,
  });
  for (const row of cells) table.push(row);
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

/**
 * Column widths that fit `width` where they can: the flex column first gives up what it must
 * (down to MIN_FLEX_WIDTH), then the columns with a `minWidth`, the one with the most to give
 * first. Columns without one (ids) are never cut: a table wider than a very narrow terminal wraps.
 */
function fitted<T>(columns: Array<Column<T>>, natural: number[], width: number): number[] {
  const widths = [...natural];
  const floor = columns.map((column, i) =>
    column.flex
      ? Math.min(natural[i] ?? 0, MIN_FLEX_WIDTH)
      : Math.min(natural[i] ?? 0, column.minWidth ?? Number.MAX_SAFE_INTEGER),
  );
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1);
  const flex = columns.findIndex((column) => column.flex);
  if (flex >= 0)
    widths[flex] = Math.max(floor[flex] ?? 0, (widths[flex] ?? 0) - Math.max(0, total() - width));
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const slack = (widths[i] ?? 0) - (floor[i] ?? 0);
      if (slack > 0 && (widest < 0 || slack > (widths[widest] ?? 0) - (floor[widest] ?? 0))) widest = i;
    }
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return widths;
}

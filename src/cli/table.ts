import Table from 'cli-table3';
import stringWidth from 'string-width';
import { oneLine } from './format.js';
import type { Column } from './output.js';
import type { Terminal } from './terminal.js';

const GAP = 2;
/** The long-text column keeps at least this many columns, even on a narrow terminal. */
const MIN_FLEX_WIDTH = 16;

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
  const widths = natural.map((width, i) => {
    if (!columns[i]?.flex || terminal.width === undefined) return width;
    const others = natural.reduce((sum, w, j) => (j === i ? sum : sum + w + GAP), 0);
    return Math.max(Math.min(width, terminal.width - others), Math.min(width, MIN_FLEX_WIDTH));
  });
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

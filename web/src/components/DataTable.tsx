import {
  type ColumnDef,
  createColumnHelper,
  type RowData,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { Fragment, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';

/** The table features every list uses: none beyond the core; the server sorts and pages. */
export const features = tableFeatures({});
type Features = typeof features;

/** A typed column helper for rows of T. */
export function columnsFor<T extends RowData>() {
  return createColumnHelper<Features, T>();
}

/** Columns as `columnsFor<T>().columns([...])` returns them. */
// biome-ignore lint/suspicious/noExplicitAny: any: each column has its own value type; TanStack's own columns() returns this array type.
export type Columns<T extends RowData> = Array<ColumnDef<Features, T, any>>;

interface DataTableProps<T extends RowData> {
  caption: string;
  columns: Columns<T>;
  data: T[];
  rowKey: (row: T) => string;
  /** Classes per column id, e.g. `optional` to drop a column on phones. */
  columnClass?: Record<string, string>;
  /** Makes the whole row open something; a link or button inside the row stays the keyboard target. */
  onRowClick?: (row: T) => void;
  expanded?: ReadonlySet<string>;
  renderExpanded?: (row: T) => ReactNode;
  /** Dims the rows while the next page loads over them. */
  busy?: boolean;
}

/**
 * The one table markup of the dashboard over TanStack Table: semantic `<table>`, a caption
 * for screen readers, optional expanded rows, and a scroll wrapper for narrow screens.
 */
export function DataTable<T extends RowData>(props: DataTableProps<T>) {
  const { columns, data, rowKey, columnClass = {}, onRowClick, expanded, renderExpanded } = props;
  const table = useTable({ features, columns, data, getRowId: (row) => rowKey(row) });
  const width = table.getAllLeafColumns().length;
  const click = (row: T) => (event: MouseEvent) => {
    if (!onRowClick || (event.target as HTMLElement).closest('a, button, input, select')) return;
    onRowClick(row);
  };
  const key = (row: T) => (event: KeyboardEvent) => {
    if (onRowClick && event.key === 'Enter' && event.target === event.currentTarget) onRowClick(row);
  };
  return (
    <div className="table-scroll">
      <table className="data-table" aria-busy={props.busy}>
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className={columnClass[header.column.id]}>
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className={props.busy ? 'busy' : undefined}>
          {table.getRowModel().rows.map((row) => (
            <Fragment key={row.id}>
              <tr
                className={onRowClick ? 'clickable' : undefined}
                onClick={click(row.original)}
                onKeyDown={key(row.original)}
              >
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} className={columnClass[cell.column.id]}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
              {renderExpanded && expanded?.has(row.id) ? (
                <tr className="expanded-row">
                  <td colSpan={width}>{renderExpanded(row.original)}</td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

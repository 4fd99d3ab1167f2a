import { getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type ColumnDefTemplate, type RowData, type SortingState } from '@tanstack/react-table';
import { useState, type ReactNode } from 'react';

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the library's own type parameters
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Put on each of the column's cells. */
    className?: string;
  }
}

/**
 * A header or cell template, called as a function (so a cell must not call hooks). TanStack's
 * flexRender mounts a function as a component, and columns written inline are new functions at
 * every render: every cell would be remounted each time, and a focused button in a row lost.
 */
function render<P extends object>(template: ColumnDefTemplate<P> | undefined, props: P): ReactNode {
  return typeof template === 'function' ? (template(props) as ReactNode) : (template ?? null);
}

/**
 * A table over TanStack Table: headers, cells, optional sorting of the page shown (the API
 * orders each list; columns opt in with `enableSorting: true`), a caption for screen readers,
 * and the empty state in the table itself. Wide tables scroll inside their frame on a phone.
 * A column's `meta.className` goes on each of its cells (e.g. `nowrap`, `break-anywhere`).
 */
export function DataTable<T>({
  data,
  columns,
  caption,
  empty,
  rowKey,
  rowClassName,
  footer,
}: {
  data: T[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- column value types differ per column
  columns: Array<ColumnDef<T, any>>;
  caption: string;
  empty: ReactNode;
  rowKey: (row: T) => string;
  rowClassName?: (row: T) => string | undefined;
  footer?: ReactNode;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: rowKey,
    enableSorting: false,
  });
  return (
    <div className="table-frame" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sortable = header.column.getCanSort();
                const sorted = header.column.getIsSorted();
                return (
                  <th key={header.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                    {header.isPlaceholder ? null : sortable ? (
                      <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                        {render(header.column.columnDef.header, header.getContext())}
                        <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ' ↕'}</span>
                      </button>
                    ) : (
                      render(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty-cell">
                {empty}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className={rowClassName?.(row.original)}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={cell.column.columnDef.meta?.className} data-label={typeof cell.column.columnDef.header === 'string' ? cell.column.columnDef.header : undefined}>
                    {render(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {footer}
    </div>
  );
}

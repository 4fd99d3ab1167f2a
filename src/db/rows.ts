/** A list of every column of `Row`: the compiler refuses one that misses a column. */
export function allColumns<Row>() {
  return <const Columns extends ReadonlyArray<keyof Row & string>>(columns: Columns & (Exclude<keyof Row, Columns[number]> extends never ? unknown : never)): Columns => columns;
}

/**
 * Rows read as values (`SqlExecutor.values`) seen as the row objects of their `columns`, for
 * the mappers below: each column a getter on one shared prototype, so a row costs one small
 * object, not one property added at a time (ten times slower, and a garbage collector's meal).
 */
export function rowReader<Row>(columns: ReadonlyArray<keyof Row & string>): (values: readonly unknown[]) => Row {
  const prototype: object = {};
  columns.forEach((column, i) => {
    Object.defineProperty(prototype, column, {
      get(this: { values: readonly unknown[] }) {
        return this.values[i];
      },
    });
  });
  return (values) => {
    const row = Object.create(prototype) as { values: readonly unknown[] };
    row.values = values;
    return row as Row;
  };
}

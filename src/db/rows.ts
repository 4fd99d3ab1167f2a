/** A list of every column of `Row`: the compiler refuses one that misses a column. */
export function allColumns<Row>() {
  return <const Columns extends ReadonlyArray<keyof Row & string>>(columns: Columns & (Exclude<keyof Row, Columns[number]> extends never ? unknown : never)): Columns => columns;
}

/**
 * Rows read as values (`SqlExecutor.values`) seen as the row objects of their `columns`, for the
 * mappers: each column a getter on one shared prototype, so a row is one small object. Built a
 * property at a time instead, a row of more than a few columns (an event has 25) becomes a
 * dictionary-mode object, slow to build and to read, once per claimed delivery.
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

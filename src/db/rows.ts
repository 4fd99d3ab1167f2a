/** A list of every column of `Row`: the compiler refuses one that misses a column. */
export function allColumns<Row>() {
  return <const Columns extends ReadonlyArray<keyof Row & string>>(columns: Columns & (Exclude<keyof Row, Columns[number]> extends never ? unknown : never)): Columns => columns;
}

/** Rows read as values (`SqlExecutor.values`) as the row objects of their `columns`, for the mappers. */
export function rowReader<Row>(columns: ReadonlyArray<keyof Row & string>): (values: readonly unknown[]) => Row {
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
    return row as Row;
  };
}

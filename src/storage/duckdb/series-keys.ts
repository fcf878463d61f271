import type { TableBatch } from '../lineprotocol/table-batch.ts';

interface KeyNode {
  /** The key of the series whose tags are the path to this node. */
  key: string;
  next: Map<string | undefined, KeyNode>;
}

/**
 * Series keys (a series' present tags in table order, each as length-prefixed name and value) for
 * the rows of table batches with the same tag columns. Each distinct combination of tag values is
 * turned into its key once and then found by value: the parser hands out one string per distinct
 * tag value, whose hash V8 keeps, so a row costs a map lookup per tag instead of building and
 * hashing a new string.
 */
export class SeriesKeys {
  private readonly root: KeyNode = { key: '', next: new Map() };

  constructor(private readonly tagNames: readonly string[]) {}

  /** The key of each row of `source`. */
  ofRows(source: TableBatch): string[] {
    const columns = this.tagNames.map((name) =>
      source.columns.find((column) => column.kind === 'tag' && column.name === name),
    );
    const keys = new Array<string>(source.rowCount);
    for (let row = 0; row < source.rowCount; row++) {
      let node = this.root;
      for (let index = 0; index < columns.length; index++) {
        const column = columns[index];
        const value = column !== undefined && column.present[row] === 1 ? column.strings[row] : undefined;
        let child = node.next.get(value);
        if (child === undefined) {
          child = {
            key: value === undefined ? node.key : node.key + segment(this.tagNames[index]!, value),
            next: new Map(),
          };
          node.next.set(value, child);
        }
        node = child;
      }
      keys[row] = node.key;
    }
    return keys;
  }
}

/** A series' key from its tag values in table order (null or undefined: the tag is absent). */
export function seriesKey(names: readonly string[], values: ReadonlyArray<string | null | undefined>): string {
  let key = '';
  names.forEach((name, index) => {
    const value = values[index];
    if (value !== null && value !== undefined) key += segment(name, value);
  });
  return key;
}

function segment(name: string, value: string): string {
  return `${name.length}:${name}${value.length}:${value}`;
}

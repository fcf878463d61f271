import { byteOrder } from '../support/byte-order.ts';
import { type FlatColumn, flatLayout, flatten } from './flat-table.ts';
import type { SeriesPart } from './result.ts';
import { collectSeries } from './select-executor.ts';
import type { OpenedStatement } from './statements.ts';

/** One statement's flat rows (see flatten) in batches; times are nanoseconds as bigint. */
export interface FlatStream {
  readonly columns: FlatColumn[];
  readonly timezone: string | undefined;
  next(): Promise<unknown[][] | null>;
  /** Stops the statement if it is still running. Idempotent. */
  close(): Promise<void>;
}

/**
 * A statement's flat rows in batches of exactly `batchRows` (the last may be shorter). The columns
 * need the first series, so this reads it before resolving. A SELECT over measurements grouped by
 * different tags has columns only all its series decide: that rare statement is read whole
 * (within `maxRows`); every other streams.
 */
export async function openFlatStream(
  opened: OpenedStatement,
  batchRows: number,
  maxRows?: number,
): Promise<FlatStream> {
  if ('result' in opened) return wholeStream(flatten(opened.result), opened.result.timezone, batchRows);
  const { parts, timezone } = opened;
  let first: IteratorResult<SeriesPart>;
  try {
    first = await parts.next();
  } catch (error) {
    await parts.return(undefined);
    throw error;
  }
  if (first.done) return wholeStream(flatten({ series: [] }), timezone, batchRows);
  const sets = opened.plan.groupTags ?? [];
  if (sets.some((set) => set.join('\0') !== sets[0]!.join('\0'))) {
    const series = await collectSeries(prepend(first.value, parts), maxRows);
    return wholeStream(flatten({ series }), timezone, batchRows);
  }
  const head = first.value;
  const layout = flatLayout(head, head.tags.map(([key]) => key).sort(byteOrder));
  let pending: SeriesPart | undefined = head;
  let buffer: unknown[][] = [];
  let done = false;
  return {
    columns: layout.columns,
    timezone,
    next: async () => {
      while (!done && buffer.length < batchRows) {
        const part = pending ?? (await nextPart(parts));
        pending = undefined;
        if (part === undefined) done = true;
        else layout.append(part, part.values, buffer);
      }
      if (buffer.length === 0) return null;
      if (buffer.length <= batchRows) {
        const batch = buffer;
        buffer = [];
        return batch;
      }
      const batch = buffer.slice(0, batchRows);
      buffer = buffer.slice(batchRows);
      return batch;
    },
    close: async () => {
      done = true;
      buffer = [];
      await parts.return(undefined);
    },
  };
}

async function nextPart(parts: AsyncGenerator<SeriesPart>): Promise<SeriesPart | undefined> {
  const step = await parts.next();
  return step.done ? undefined : step.value;
}

async function* prepend(first: SeriesPart, rest: AsyncGenerator<SeriesPart>): AsyncGenerator<SeriesPart> {
  yield first;
  yield* rest;
}

function wholeStream(
  table: { columns: FlatColumn[]; rows: unknown[][] },
  timezone: string | undefined,
  batchRows: number,
): FlatStream {
  let offset = 0;
  return {
    columns: table.columns,
    timezone,
    next: async () => {
      if (offset >= table.rows.length) return null;
      const batch = table.rows.slice(offset, offset + batchRows);
      offset += batchRows;
      return batch;
    },
    close: async () => {
      offset = table.rows.length;
    },
  };
}

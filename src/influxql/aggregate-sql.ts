import type { FieldType } from '../storage/lineprotocol/types.ts';
import { resultType } from './functions.ts';
import { sqlFloat } from './sql-text.ts';

const TIME_NS = 'epoch_ns("time")';

/** One aggregate or selector call over a field, in SQL. */
export interface AggregateSql {
  value: string;
  type: FieldType;
  /** Selectors only: the chosen point's time (ns) and, for each extra expression, its value at that point. */
  time?: string;
  aux?: string[];
}

/**
 * The SQL of `name(field)` as InfluxQL defines it: `first`/`last` by time, `min`/`max` with the
 * earliest point on ties, `percentile` by nearest rank (index ⌊n·p/100 + ½⌋ of the sorted values),
 * `mode` the most frequent value (the smallest on ties), `stddev` the sample deviation.
 * `aux` are expressions a lone selector also reports at its chosen point (`SELECT max(v), host`).
 */
export function aggregateSql(
  name: string,
  field: string,
  type: FieldType,
  options: { percentile?: number; distinct?: boolean; aux?: string[] } = {},
): AggregateSql {
  const present = `FILTER (WHERE ${field} IS NOT NULL)`;
  const aux = options.aux ?? [];
  const result = resultType(name, type);
  switch (name) {
    case 'count':
      return { value: options.distinct ? `count(DISTINCT ${field})` : `count(${field})`, type: 'integer' };
    case 'mean':
      return { value: `avg(${field})`, type: result };
    case 'median':
      return { value: `median(CAST(${field} AS DOUBLE))`, type: result };
    case 'spread':
      return { value: `(max(${field}) - min(${field}))`, type: result };
    case 'stddev':
      return { value: `stddev_samp(${field})`, type: result };
    case 'sum':
      return { value: `sum(${field})`, type: result };
    case 'mode':
      return {
        value: `list_sort(list_transform(map_entries(histogram(${field}) ${present}), e -> {'c': -CAST(e.value AS BIGINT), 'k': e.key}))[1].k`,
        type: result,
      };
    case 'first':
    case 'last': {
      const pick = name === 'first' ? 'arg_min' : 'arg_max';
      return {
        value: `${pick}(${field}, ${TIME_NS}) ${present}`,
        type: result,
        time: `${name === 'first' ? 'min' : 'max'}(${TIME_NS}) ${present}`,
        // The _null forms keep a null tag or field of the chosen point instead of skipping to another point.
        aux: aux.map((expr) => `${pick}_null(${expr}, ${TIME_NS}) ${present}`),
      };
    }
    case 'min':
    case 'max': {
      const pick = name === 'min' ? 'arg_min' : 'arg_max';
      // Earliest point on ties: the time sorts ascending within the value's order.
      const key = `{'v': ${field}, 't': ${name === 'min' ? TIME_NS : `-${TIME_NS}`}}`;
      return {
        value: `${name}(${field})`,
        type: result,
        time: `${pick}(${TIME_NS}, ${key}) ${present}`,
        aux: aux.map((expr) => `${pick}_null(${expr}, ${key}) ${present}`),
      };
    }
    case 'percentile': {
      const p = sqlFloat(options.percentile ?? 50);
      const members = [`'v': ${field}`, `'t': ${TIME_NS}`, ...aux.map((expr, i) => `'a${i}': ${expr}`)];
      const rank = `CAST(floor(count(${field}) * ${p} / 100.0 + 0.5) AS BIGINT)`;
      const chosen = `list_sort(list({${members.join(', ')}}) ${present})[${rank}]`;
      return {
        value: `${chosen}.v`,
        type: result,
        time: `${chosen}.t`,
        aux: aux.map((_, i) => `${chosen}.a${i}`),
      };
    }
    default:
      throw new Error(`no SQL aggregate for ${name}`);
  }
}

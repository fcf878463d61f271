import type { FieldType } from '../storage/lineprotocol/types.ts';

/**
 * The InfluxQL functions fluxgate runs. Aggregates reduce the points of a group (a series, or a
 * series in one GROUP BY time() bucket) to one value; selectors pick one point's value (and, alone
 * without GROUP BY time(), its time); transformations map a series point by point, over raw points
 * or over the buckets of an aggregate.
 */
export type FunctionKind = 'aggregate' | 'selector' | 'transform';

export interface FunctionSpec {
  kind: FunctionKind;
  /** Field types the function takes (checked per field, so `mean(*)` skips strings). */
  accepts: 'numeric' | 'any';
  /** Extra arguments after the field. */
  extra: 'none' | 'duration?' | 'number' | 'integer';
}

const NUMERIC_TYPES: ReadonlySet<FieldType> = new Set(['float', 'integer', 'uinteger']);

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  count: { kind: 'aggregate', accepts: 'any', extra: 'none' },
  mean: { kind: 'aggregate', accepts: 'numeric', extra: 'none' },
  median: { kind: 'aggregate', accepts: 'numeric', extra: 'none' },
  mode: { kind: 'aggregate', accepts: 'any', extra: 'none' },
  spread: { kind: 'aggregate', accepts: 'numeric', extra: 'none' },
  stddev: { kind: 'aggregate', accepts: 'numeric', extra: 'none' },
  sum: { kind: 'aggregate', accepts: 'numeric', extra: 'none' },
  distinct: { kind: 'aggregate', accepts: 'any', extra: 'none' },
  integral: { kind: 'aggregate', accepts: 'numeric', extra: 'duration?' },
  first: { kind: 'selector', accepts: 'any', extra: 'none' },
  last: { kind: 'selector', accepts: 'any', extra: 'none' },
  min: { kind: 'selector', accepts: 'numeric', extra: 'none' },
  max: { kind: 'selector', accepts: 'numeric', extra: 'none' },
  percentile: { kind: 'selector', accepts: 'numeric', extra: 'number' },
  difference: { kind: 'transform', accepts: 'numeric', extra: 'none' },
  non_negative_difference: { kind: 'transform', accepts: 'numeric', extra: 'none' },
  derivative: { kind: 'transform', accepts: 'numeric', extra: 'duration?' },
  non_negative_derivative: { kind: 'transform', accepts: 'numeric', extra: 'duration?' },
  moving_average: { kind: 'transform', accepts: 'numeric', extra: 'integer' },
  cumulative_sum: { kind: 'transform', accepts: 'numeric', extra: 'none' },
  elapsed: { kind: 'transform', accepts: 'any', extra: 'duration?' },
};

/**
 * InfluxQL functions outside the subset InfluxDB 3 answers: a query naming one is refused with the
 * statement error InfluxDB 3 gives for them, not run half-way.
 */
const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  'sample',
  'top',
  'bottom',
  'holt_winters',
  'holt_winters_with_fit',
  'chande_momentum_oscillator',
  'exponential_moving_average',
  'double_exponential_moving_average',
  'kaufmans_efficiency_ratio',
  'kaufmans_adaptive_moving_average',
  'triple_exponential_moving_average',
  'triple_exponential_derivative',
  'relative_strength_index',
]);

export function functionSpec(name: string): FunctionSpec | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

/** True for a function InfluxDB 3's InfluxQL refuses (`top`, `sample`, `holt_winters`…). */
export function isRefusedFunction(name: string): boolean {
  return REFUSED_FUNCTIONS.has(name);
}

export function acceptsType(spec: FunctionSpec, type: FieldType): boolean {
  return spec.accepts === 'any' || NUMERIC_TYPES.has(type);
}

export function isNumeric(type: FieldType): boolean {
  return NUMERIC_TYPES.has(type);
}

/** The default unit of derivative() and integral() (1s) and of elapsed() (1ns). */
export function defaultUnitNs(name: string): bigint {
  return name === 'elapsed' ? 1n : 1_000_000_000n;
}

/** What type a function's result has, given its field's type. */
export function resultType(name: string, input: FieldType): FieldType {
  switch (name) {
    case 'count':
    case 'elapsed':
      return 'integer';
    case 'mean':
    case 'median':
    case 'stddev':
    case 'integral':
    case 'derivative':
    case 'non_negative_derivative':
    case 'moving_average':
      return 'float';
    default:
      return input;
  }
}

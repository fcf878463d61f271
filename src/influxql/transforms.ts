import { bucketStart, type Interval, nextBucket } from './buckets.ts';

/** A transformation of a series: `derivative(x, 1s)`, `moving_average(x, 3)`… */
export interface Transform {
  name: string;
  /** derivative, non_negative_derivative, elapsed: the unit the result is per. */
  unitNs: bigint;
  /** moving_average: the window in points. */
  points: number;
}

/**
 * Applies a transformation to one series, point by point in time order. Points without a value
 * are skipped, as InfluxDB skips them; the result has a value (or null) for every input position.
 */
export function applyTransform(transform: Transform, times: readonly bigint[], values: readonly unknown[]): unknown[] {
  const out: unknown[] = new Array(values.length).fill(null);
  let previous = -1;
  let running = 0;
  const window: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    if (raw === null || raw === undefined) continue;
    const value = Number(raw);
    switch (transform.name) {
      case 'cumulative_sum':
        running += value;
        out[i] = running;
        break;
      case 'moving_average':
        window.push(value);
        if (window.length > transform.points) window.shift();
        if (window.length === transform.points) out[i] = window.reduce((a, b) => a + b, 0) / transform.points;
        break;
      default:
        if (previous >= 0) out[i] = pairwise(transform, times[previous]!, Number(values[previous]), times[i]!, value);
    }
    previous = i;
  }
  return out;
}

function pairwise(transform: Transform, t0: bigint, v0: number, t1: bigint, v1: number): number | null {
  switch (transform.name) {
    case 'difference':
      return v1 - v0;
    case 'non_negative_difference':
      return v1 - v0 >= 0 ? v1 - v0 : null;
    case 'elapsed':
      return Number((t1 - t0) / transform.unitNs);
    case 'derivative':
    case 'non_negative_derivative': {
      if (t1 === t0) return null;
      const rate = (v1 - v0) / (Number(t1 - t0) / Number(transform.unitNs));
      return transform.name === 'derivative' || rate >= 0 ? rate : null;
    }
    default:
      throw new Error(`unknown transformation ${transform.name}`);
  }
}

/**
 * `integral(x, unit)` of one series, InfluxDB 1.x's way: the trapezoid rule over consecutive
 * points, and with GROUP BY time() each bucket's area closed at its end by interpolating towards
 * the next point (which then starts the next bucket's area at the boundary). Points at a time
 * already seen are skipped. Returns one area per bucket that has points (or one without buckets).
 */
export function integrate(
  times: readonly bigint[],
  values: readonly number[],
  unitNs: bigint,
  interval: Interval | undefined,
  lowerNs: bigint,
): Array<{ time: bigint; value: number }> {
  const out: Array<{ time: bigint; value: number }> = [];
  if (times.length === 0) return out;
  const unit = Number(unitNs);
  let prevTime = times[0]!;
  let prevValue = values[0]!;
  let windowStart = interval === undefined ? lowerNs : bucketStart(prevTime, interval);
  let windowEnd = interval === undefined ? undefined : nextBucket(windowStart, interval);
  let sum = 0;
  for (let i = 1; i < times.length; i++) {
    const time = times[i]!;
    const value = values[i]!;
    if (time === prevTime) {
      prevValue = value;
      continue;
    }
    if (interval !== undefined && windowEnd !== undefined && time >= windowEnd) {
      if (prevTime !== windowEnd) {
        const atEnd = prevValue + ((value - prevValue) * Number(windowEnd - prevTime)) / Number(time - prevTime);
        sum += (0.5 * (atEnd + prevValue) * Number(windowEnd - prevTime)) / unit;
        prevValue = atEnd;
        prevTime = windowEnd;
      }
      out.push({ time: windowStart, value: sum });
      windowStart = bucketStart(time, interval);
      windowEnd = nextBucket(windowStart, interval);
      sum = 0;
    }
    sum += (0.5 * (value + prevValue) * Number(time - prevTime)) / unit;
    prevTime = time;
    prevValue = value;
  }
  out.push({ time: windowStart, value: sum });
  return out;
}

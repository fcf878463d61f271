/** Geometry of the Overview's charts, kept apart from React so it can be tested. */

export interface Series {
  name: string;
  values: number[];
}

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The SVG path of one series over a `width` × `height` plot whose y axis runs 0…`top`. */
export function linePath(values: readonly number[], width: number, height: number, top: number): string {
  if (values.length === 0) return '';
  const dx = values.length === 1 ? 0 : width / (values.length - 1);
  return values
    .map((value, i) => {
      const x = i * dx;
      const y = height - (Math.min(value, top) / top) * height;
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** Bar lengths for a horizontal bar chart, scaled so the largest fills `width`. */
export function barLengths(values: readonly number[], width: number): number[] {
  const max = Math.max(0, ...values);
  return values.map((value) => (max === 0 ? 0 : Math.max(value > 0 ? 1 : 0, (value / max) * width)));
}

import { barLengths, linePath, niceCeiling, type Series } from '../lib/chart.ts';

const COLORS = ['#2f7d32', '#c77700', '#b3261e', '#5b3fa8', '#1f5fa8'];

/** A line per series over time; the table below it carries the same numbers for screen readers. */
export function LineChart({ title, labels, series }: { title: string; labels: string[]; series: Series[] }) {
  const width = 560;
  const height = 180;
  const top = niceCeiling(Math.max(0, ...series.flatMap((s) => s.values)));
  return (
    <figure className="chart">
      <svg viewBox={`-40 -10 ${width + 50} ${height + 40}`} role="img" aria-label={title}>
        <title>{title}</title>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={0} x2={width} y1={height - f * height} y2={height - f * height} className="chart-grid" />
            <text x={-6} y={height - f * height + 4} textAnchor="end" className="chart-axis">
              {Math.round(top * f)}
            </text>
          </g>
        ))}
        {series.map((s, i) => (
          <path
            key={s.name}
            d={linePath(s.values, width, height, top)}
            fill="none"
            stroke={COLORS[i % COLORS.length]}
            strokeWidth={2}
          />
        ))}
        <text x={0} y={height + 18} className="chart-axis">
          {labels[0] ?? ''}
        </text>
        <text x={width} y={height + 18} textAnchor="end" className="chart-axis">
          {labels[labels.length - 1] ?? ''}
        </text>
      </svg>
      <figcaption className="legend">
        {series.map((s, i) => (
          <span key={s.name} className="legend-item">
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" fill={COLORS[i % COLORS.length]} />
            </svg>
            {s.name}: {s.values.reduce((a, b) => a + b, 0)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Horizontal bars, one per label, with the formatted value at the end of each. */
export function BarChart({
  title,
  items,
  format,
}: {
  title: string;
  items: Array<{ label: string; value: number }>;
  format: (value: number) => string;
}) {
  const width = 130;
  const lengths = barLengths(
    items.map((i) => i.value),
    width,
  );
  const row = 26;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width + 170} ${Math.max(1, items.length) * row}`} role="img" aria-label={title}>
        <title>{title}</title>
        {items.map((item, i) => (
          <g key={item.label} transform={`translate(0, ${i * row})`}>
            <text x={0} y={17} className="chart-label">
              {item.label.length > 13 ? `${item.label.slice(0, 12)}…` : item.label}
            </text>
            <rect x={100} y={5} width={lengths[i] ?? 0} height={16} fill={COLORS[4]} rx={2} />
            <text x={106 + (lengths[i] ?? 0)} y={17} className="chart-value">
              {format(item.value)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

// Printing for benchmarks: number formatting, medians and a closing table of figures against targets.

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20, 1)} MiB`;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Row {
  figure: string;
  value: string;
  target: string;
  met: boolean | undefined;
}

/** Figures collected during a run, printed as one table at the end. */
export class FigureTable {
  private readonly rows: Row[] = [];

  record(figure: string, value: string, target = '', met: boolean | undefined = undefined): void {
    this.rows.push({ figure, value, target, met });
  }

  print(): void {
    const rows = this.rows;
    const widths = [
      Math.max(6, ...rows.map((r) => r.figure.length)),
      Math.max(5, ...rows.map((r) => r.value.length)),
      Math.max(6, ...rows.map((r) => r.target.length)),
    ];
    const line = (a: string, b: string, c: string, d: string) =>
      `  ${a.padEnd(widths[0]!)}  ${b.padStart(widths[1]!)}  ${c.padEnd(widths[2]!)}  ${d}`;
    console.log(`\n${line('figure', 'value', 'target', 'met')}`);
    console.log(line('-'.repeat(widths[0]!), '-'.repeat(widths[1]!), '-'.repeat(widths[2]!), '---'));
    for (const r of rows)
      console.log(line(r.figure, r.value, r.target, r.met === undefined ? '' : r.met ? 'yes' : 'NO'));
  }
}

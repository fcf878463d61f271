import { formatInstant } from '../lib/format.ts';

/** An RFC3339 instant in a table cell: it may wrap between the date and the time, never inside either. */
export function Instant({ iso, none }: { iso: string | null | undefined; none?: string }) {
  const text = formatInstant(iso, none);
  const split = text.indexOf('T');
  if (iso === undefined || iso === null || split < 0) return <>{text}</>;
  return (
    <time className="instant" dateTime={iso}>
      {text.slice(0, split)}
      <wbr />
      {text.slice(split)}
    </time>
  );
}

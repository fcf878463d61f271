/** Marks bigints while JSON.stringify walks a value, so they can be written as bare digits after. */
const MARK = '\u0000\u0001exact-integer:';
const MARKED = /"\\u0000\\u0001exact-integer:(-?\d+)"/g;

/** JSON text in which bigints (nanosecond times, integers beyond 2^53) are exact numbers. */
export function stringifyExact(value: unknown, indent?: number): string {
  const text = JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? `${MARK}${item}` : item),
    indent,
  );
  return text.replace(MARKED, '$1');
}

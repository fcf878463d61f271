/** Byte order of UTF-8 names, as InfluxDB lists measurements, tags and fields. */
export function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

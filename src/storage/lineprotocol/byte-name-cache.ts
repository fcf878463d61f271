/** Names longer than this are rare repeats and are not worth hashing. */
const MAX_CACHED_LENGTH = 64;

/**
 * `NameCache` over the bytes of a body: a small direct-mapped cache from the raw bytes of a name
 * (whose FNV-1a hash the caller computed while scanning) to its string, so repeated tag values
 * cost a byte comparison instead of a decode and an allocation. Only names without escapes are
 * looked up, so the string is the UTF-8 decoding of the bytes.
 */
export class ByteNameCache {
  private readonly mask: number;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly values: string[];

  constructor(
    private readonly body: Buffer,
    slots: number,
  ) {
    this.mask = slots - 1;
    this.starts = new Int32Array(slots);
    this.lengths = new Int32Array(slots).fill(-1);
    this.values = new Array<string>(slots).fill('');
  }

  get(start: number, end: number, hash: number): string {
    const body = this.body;
    const length = end - start;
    if (length > MAX_CACHED_LENGTH) return body.toString('utf8', start, end);
    const slot = (hash ^ (hash >>> 15)) & this.mask;
    if (this.lengths[slot] === length) {
      const cachedStart = this.starts[slot]!;
      let i = 0;
      while (i < length && body[start + i] === body[cachedStart + i]) i++;
      if (i === length) return this.values[slot]!;
    }
    const value = body.toString('utf8', start, end);
    this.starts[slot] = start;
    this.lengths[slot] = length;
    this.values[slot] = value;
    return value;
  }
}

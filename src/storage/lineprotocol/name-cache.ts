/** FNV-1a over UTF-16 code units; callers hash the raw text while scanning it. */
export const HASH_SEED = 0x811c9dc5 | 0;
export const HASH_PRIME = 0x01000193;

/** Names longer than this are rare repeats and are not worth hashing. */
const MAX_CACHED_LENGTH = 64;

/**
 * A small direct-mapped cache, for one request body, from the raw text of a name to its
 * (unescaped) string. Bodies repeat the same measurements, keys and tag values on every line;
 * returning the string made for an earlier occurrence avoids allocating a new one per line,
 * which keeps the young generation small and the garbage collector off the ingest path.
 */
export class NameCache {
  private readonly src: string;
  private readonly mask: number;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly values: string[];
  private readonly make: (src: string, start: number, end: number) => string;

  constructor(src: string, slots: number, make: (src: string, start: number, end: number) => string) {
    this.src = src;
    this.mask = slots - 1;
    this.starts = new Int32Array(slots);
    this.lengths = new Int32Array(slots).fill(-1);
    this.values = new Array<string>(slots).fill('');
    this.make = make;
  }

  /** The string for src[start, end) (whose raw `hash` the caller computed), made by `make` unless seen before. */
  get(start: number, end: number, hash: number): string {
    const length = end - start;
    if (length > MAX_CACHED_LENGTH) return this.make(this.src, start, end);
    const src = this.src;
    const slot = (hash ^ (hash >>> 15)) & this.mask;
    if (this.lengths[slot] === length) {
      const cachedStart = this.starts[slot]!;
      let i = 0;
      while (i < length && src.charCodeAt(start + i) === src.charCodeAt(cachedStart + i)) i++;
      if (i === length) return this.values[slot]!;
    }
    const value = this.make(src, start, end);
    this.starts[slot] = start;
    this.lengths[slot] = length;
    this.values[slot] = value;
    return value;
  }
}

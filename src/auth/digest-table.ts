/** SHA-512 digest length; keys are these bytes as a one-byte ('binary') string. */
export const DIGEST_BYTES = 64;

const INITIAL_SLOTS = 16;

/**
 * A hash table from SHA-512 digests to values, built for millions of keys on the verify hot path.
 * A Map of strings hashes all 64 characters per lookup and chases bucket, entry and key string
 * through memory; here slot i keeps its digest at bytes [64i, 64i + 64) of one Uint8Array and its
 * value at values[i], so a lookup reads four key bytes to find its home slot (SHA-512 is uniform:
 * no further hashing), then fetches the slot's digest and value in parallel, and allocates nothing.
 * Open addressing with linear probing, at most half full, backward-shift deletion (no tombstones).
 */
export class DigestTable<V extends object> {
  private digests = new Uint8Array(INITIAL_SLOTS * DIGEST_BYTES);
  /** undefined marks an empty slot. */
  private values = emptySlots<V>(INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    if (key.length !== DIGEST_BYTES) return undefined;
    const { values, mask } = this;
    for (let slot = leadingWord(key) & mask; ; slot = (slot + 1) & mask) {
      const value = values[slot];
      if (value === undefined || this.digestEquals(slot, key)) return value;
    }
  }

  set(key: string, value: V): void {
    assertDigestKey(key);
    let slot = this.slotOf(key);
    if (slot < 0) {
      if ((this.count + 1) * 2 > this.values.length) this.grow();
      slot = this.emptySlotFrom(leadingWord(key) & this.mask);
      const base = slot * DIGEST_BYTES;
      for (let i = 0; i < DIGEST_BYTES; i++) this.digests[base + i] = key.charCodeAt(i);
      this.count++;
    }
    this.values[slot] = value;
  }

  delete(key: string): boolean {
    if (key.length !== DIGEST_BYTES) return false;
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    this.vacate(slot);
    this.count--;
    return true;
  }

  /** The slot holding `key`, or -1. */
  private slotOf(key: string): number {
    const { values, mask } = this;
    for (let slot = leadingWord(key) & mask; values[slot] !== undefined; slot = (slot + 1) & mask) {
      if (this.digestEquals(slot, key)) return slot;
    }
    return -1;
  }

  private emptySlotFrom(home: number): number {
    let slot = home;
    while (this.values[slot] !== undefined) slot = (slot + 1) & this.mask;
    return slot;
  }

  private digestEquals(slot: number, key: string): boolean {
    const digests = this.digests;
    const base = slot * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (digests[base + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private homeOf(slot: number): number {
    return storedLeadingWord(this.digests, slot * DIGEST_BYTES) & this.mask;
  }

  /** Empties `hole`, moving later members of its probe run back so each stays reachable from its home. */
  private vacate(hole: number): void {
    const { values, digests, mask } = this;
    for (let slot = (hole + 1) & mask; values[slot] !== undefined; slot = (slot + 1) & mask) {
      const home = this.homeOf(slot);
      // A key must not move to a slot before its home: leave it when its home lies in (hole, slot].
      const homeAfterHole = hole < slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (homeAfterHole) continue;
      digests.copyWithin(hole * DIGEST_BYTES, slot * DIGEST_BYTES, (slot + 1) * DIGEST_BYTES);
      values[hole] = values[slot];
      hole = slot;
    }
    values[hole] = undefined;
  }

  private grow(): void {
    const oldDigests = this.digests;
    const oldValues = this.values;
    this.digests = new Uint8Array(oldDigests.length * 2);
    this.values = emptySlots<V>(oldValues.length * 2);
    this.mask = oldValues.length * 2 - 1;
    for (let old = 0; old < oldValues.length; old++) {
      if (oldValues[old] === undefined) continue;
      const base = old * DIGEST_BYTES;
      const slot = this.emptySlotFrom(storedLeadingWord(oldDigests, base) & this.mask);
      this.digests.set(oldDigests.subarray(base, base + DIGEST_BYTES), slot * DIGEST_BYTES);
      this.values[slot] = oldValues[old];
    }
  }
}

function emptySlots<V>(count: number): (V | undefined)[] {
  return new Array<V | undefined>(count).fill(undefined);
}

function assertDigestKey(key: string): void {
  let wide = 0;
  for (let i = 0; i < key.length; i++) wide |= key.charCodeAt(i) & ~0xff;
  if (key.length !== DIGEST_BYTES || wide !== 0) {
    throw new RangeError(`a digest key is ${DIGEST_BYTES} bytes as a one-byte string`);
  }
}

/** The key's first four bytes as an int: uniformly distributed, so its low bits pick the home slot. */
function leadingWord(key: string): number {
  return key.charCodeAt(0) | (key.charCodeAt(1) << 8) | (key.charCodeAt(2) << 16) | (key.charCodeAt(3) << 24);
}

/** leadingWord of the digest stored at `base`. */
function storedLeadingWord(digests: Uint8Array, base: number): number {
  return digests[base]! | (digests[base + 1]! << 8) | (digests[base + 2]! << 16) | (digests[base + 3]! << 24);
}

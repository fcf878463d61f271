/** Up to this many keys, duplicate checks scan the pairs; beyond it they use a Set. */
const LINEAR_LIMIT = 16;

type Pairs = ReadonlyArray<readonly [string, unknown]>;

/** Whether one of the first `count` pairs has `key`; uses `set` (of those keys) when there is one. */
export function containsKey(pairs: Pairs, count: number, key: string, set: Set<string> | undefined): boolean {
  if (set !== undefined) return set.has(key);
  for (let i = 0; i < count; i++) {
    if (pairs[i]![0] === key) return true;
  }
  return false;
}

/** A Set of the first `count` keys once there are too many to scan per key; undefined until then. */
export function keySetIfLarge(pairs: Pairs, count: number): Set<string> | undefined {
  if (count <= LINEAR_LIMIT) return undefined;
  const keys = new Set<string>();
  for (let i = 0; i < count; i++) keys.add(pairs[i]![0]);
  return keys;
}

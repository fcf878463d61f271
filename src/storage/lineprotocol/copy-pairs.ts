/**
 * Copies the first `count` pairs into a new array of exactly that size. Array literals, unlike
 * `slice`, have allocation sites, so V8 can allocate long-lived results straight into the old
 * generation instead of copying them through the young one.
 */
export function copyPairs<T>(pairs: readonly T[], count: number): T[] {
  switch (count) {
    case 0:
      return [];
    case 1:
      return [pairs[0]!];
    case 2:
      return [pairs[0]!, pairs[1]!];
    case 3:
      return [pairs[0]!, pairs[1]!, pairs[2]!];
    case 4:
      return [pairs[0]!, pairs[1]!, pairs[2]!, pairs[3]!];
    case 5:
      return [pairs[0]!, pairs[1]!, pairs[2]!, pairs[3]!, pairs[4]!];
    case 6:
      return [pairs[0]!, pairs[1]!, pairs[2]!, pairs[3]!, pairs[4]!, pairs[5]!];
    default:
      return pairs.slice(0, count);
  }
}

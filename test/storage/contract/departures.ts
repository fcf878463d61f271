import type { ContractStorage } from './harness.ts';

/** Why an adapter does not do what one contract case asserts, and what it does instead. */
export interface Departure {
  /** Why: what the engine behind the adapter genuinely does not have or does differently. */
  reason: string;
  /**
   * What the adapter does instead, asserted in place of the case. Without it the case cannot apply
   * at all, and is reported skipped with the reason (never silently left out).
   */
  instead?: (storage: ContractStorage) => Promise<void>;
}

/** An adapter's departures from the shared contract, all declared in one place. */
export interface Departures {
  /** Whole parts of the contract (`storageContract`'s names: 'queries'…), each with its reason. */
  parts: Readonly<Record<string, string>>;
  /** Single cases, by their title. */
  cases: Readonly<Record<string, Departure>>;
  /** The parts and case titles the contract met, so a declaration naming no case is caught. */
  matched: Set<string>;
}

export function declareDepartures(declared: {
  parts?: Record<string, string>;
  cases?: Record<string, Departure>;
}): Departures {
  return { parts: declared.parts ?? {}, cases: declared.cases ?? {}, matched: new Set() };
}

/** The declared parts and cases the contract has none of (a renamed case leaves its departure stale). */
export function unmatchedDepartures(departures: Departures): string[] {
  return [...Object.keys(departures.parts), ...Object.keys(departures.cases)].filter(
    (key) => !departures.matched.has(key),
  );
}

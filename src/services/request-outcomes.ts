/**
 * Requests per minute by outcome, over the last hour, from this node's own counting: what the
 * console's Overview charts. A fixed ring of minute buckets, so memory does not grow with traffic.
 */
export type RequestOutcome = 'ok' | 'unauthorized' | 'forbidden' | 'throttled' | 'other';

export interface MinuteCounts {
  /** Epoch ms of the minute's start. */
  start: number;
  ok: number;
  unauthorized: number;
  forbidden: number;
  throttled: number;
  other: number;
}

const MINUTE = 60_000;

export function outcomeOfStatus(status: number): RequestOutcome {
  if (status < 400) return 'ok';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'throttled';
  return 'other';
}

export class RequestOutcomes {
  private readonly buckets: MinuteCounts[];

  constructor(
    private readonly now: () => number,
    private readonly minutes = 60,
  ) {
    this.buckets = Array.from({ length: minutes }, () => empty(Number.NEGATIVE_INFINITY));
  }

  record(status: number, at = this.now()): void {
    const start = Math.floor(at / MINUTE) * MINUTE;
    const slot = Math.floor(start / MINUTE) % this.minutes;
    let bucket = this.buckets[slot]!;
    if (bucket.start !== start) {
      bucket = empty(start);
      this.buckets[slot] = bucket;
    }
    bucket[outcomeOfStatus(status)]++;
  }

  /** One entry per minute of the last `minutes` (the current one last), zero where nothing was counted. */
  lastHour(at = this.now()): MinuteCounts[] {
    const current = Math.floor(at / MINUTE) * MINUTE;
    const result: MinuteCounts[] = [];
    for (let i = this.minutes - 1; i >= 0; i--) {
      const start = current - i * MINUTE;
      const bucket = this.buckets[Math.floor(start / MINUTE) % this.minutes]!;
      result.push(bucket.start === start ? { ...bucket } : empty(start));
    }
    return result;
  }
}

function empty(start: number): MinuteCounts {
  return { start, ok: 0, unauthorized: 0, forbidden: 0, throttled: 0, other: 0 };
}

/**
 * Whether a well-formed token this node does not know is worth a catalog lookup before it is refused:
 * on a shared catalog another node may have created it a moment ago. Lookups are rate-limited (a token
 * bucket, so guessing cannot turn into catalog load) and a hash found nowhere is not asked about again
 * for a while (a negative cache, bounded).
 */
export interface ProbeOptions {
  perSecond: number;
  burst: number;
  negativeTtlMs: number;
  maxRemembered: number;
}

export const DEFAULT_PROBE_OPTIONS: ProbeOptions = {
  perSecond: 50,
  burst: 50,
  negativeTtlMs: 60_000,
  maxRemembered: 10_000,
};

export class UnknownTokenProbe {
  private tokens: number;
  private refilledAt = 0;
  private readonly absent = new Map<string, number>();

  constructor(private readonly options: ProbeOptions = DEFAULT_PROBE_OPTIONS) {
    this.tokens = options.burst;
  }

  /** True when `hash` may be looked up now (and takes one lookup from the budget). */
  mayAsk(hash: string, now: number): boolean {
    const until = this.absent.get(hash);
    if (until !== undefined) {
      if (until > now) return false;
      this.absent.delete(hash);
    }
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** The catalog does not know `hash` either. */
  rememberAbsent(hash: string, now: number): void {
    this.absent.delete(hash);
    this.absent.set(hash, now + this.options.negativeTtlMs);
    if (this.absent.size > this.options.maxRemembered) {
      const oldest = this.absent.keys().next();
      if (!oldest.done) this.absent.delete(oldest.value);
    }
  }
}

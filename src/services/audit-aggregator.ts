import type { AuditEntry } from '../catalog/catalog.ts';
import type { AttemptSink } from './authorize.ts';

export interface AuditAggregatorOptions {
  /** Repeats of one key within this long of its first become one entry (the contract: a minute). */
  windowMs: number;
  /** Keys followed at once; past it the oldest window is written out early, so memory stays bounded. */
  maxKeys: number;
  /** First attempts written at once, per second across every key; past it they wait in their window. */
  immediatePerSecond: number;
  now: () => number;
}

export const AUDIT_AGGREGATION_DEFAULTS: Omit<AuditAggregatorOptions, 'now'> = {
  windowMs: 60_000,
  maxKeys: 10_000,
  immediatePerSecond: 20,
};

/** Repeats of one key gathered in its window, written as one entry when the window closes. */
interface Window {
  openedAt: number;
  pending: { entry: AuditEntry; count: number; firstAt: number; lastAt: number } | undefined;
}

/**
 * Refused and failed attempts (and failed authentications), aggregated before they reach the audit
 * log: per actor, action, source and outcome (and reason, for authentications), the first is written
 * at once and the repeats within the window become one entry with `count`, `firstTime` and
 * `lastTime`. So a flood of refused calls is a handful of rows, and every one of them is counted.
 * A write never fails the request: errors go to `onError`.
 */
export class AggregatingAttemptLog implements AttemptSink {
  readonly #windows = new Map<string, Window>();
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #budget: number;
  #budgetAt: number;

  constructor(
    private readonly write: (entry: AuditEntry) => Promise<void>,
    private readonly options: AuditAggregatorOptions,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#budget = options.immediatePerSecond;
    this.#budgetAt = options.now();
  }

  /** Keys being followed now (bounded by `maxKeys`). */
  get size(): number {
    return this.#windows.size;
  }

  recordAttempt(entry: AuditEntry): Promise<void> {
    const key = keyOf(entry);
    const at = entry.at;
    const open = this.#windows.get(key);
    if (open !== undefined) {
      if (at - open.openedAt < this.options.windowMs) {
        gather(open, entry);
        return Promise.resolve();
      }
      this.#close(key, open);
    }
    while (this.#windows.size >= this.options.maxKeys) {
      const [oldestKey, oldest] = this.#windows.entries().next().value as [string, Window];
      this.#close(oldestKey, oldest);
    }
    const window: Window = { openedAt: at, pending: undefined };
    this.#windows.set(key, window);
    if (this.#takeBudget()) return this.#send(entry);
    gather(window, entry);
    return Promise.resolve();
  }

  /** Writes out every window that has closed by `now`. */
  flushDue(now = this.options.now()): Promise<void> {
    for (const [key, window] of this.#windows) {
      if (now - window.openedAt >= this.options.windowMs) this.#close(key, window);
    }
    return this.settled();
  }

  /** Writes out every window now, closed or not (shutdown). */
  flushAll(): Promise<void> {
    for (const [key, window] of this.#windows) this.#close(key, window);
    return this.settled();
  }

  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flushDue(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.flushAll();
  }

  #close(key: string, window: Window): void {
    this.#windows.delete(key);
    const pending = window.pending;
    if (pending === undefined) return;
    void this.#send({
      ...pending.entry,
      at: pending.lastAt,
      count: pending.count,
      firstAt: pending.firstAt,
      lastAt: pending.lastAt,
    });
  }

  #send(entry: AuditEntry): Promise<void> {
    const sent = this.write(entry).catch(this.onError);
    this.#inFlight.add(sent);
    void sent.finally(() => this.#inFlight.delete(sent));
    return sent;
  }

  #takeBudget(): boolean {
    const now = this.options.now();
    const rate = this.options.immediatePerSecond;
    this.#budget = Math.min(rate, this.#budget + ((now - this.#budgetAt) * rate) / 1000);
    this.#budgetAt = now;
    if (this.#budget < 1) return false;
    this.#budget -= 1;
    return true;
  }
}

function gather(window: Window, entry: AuditEntry): void {
  const pending = window.pending;
  const first = entry.firstAt ?? entry.at;
  const last = entry.lastAt ?? entry.at;
  const count = entry.count ?? 1;
  if (pending === undefined) {
    window.pending = { entry, count, firstAt: first, lastAt: last };
    return;
  }
  pending.count += count;
  pending.firstAt = Math.min(pending.firstAt, first);
  pending.lastAt = Math.max(pending.lastAt, last);
}

/** Actor, action, source and outcome; failed authentications also by reason. */
function keyOf(entry: AuditEntry): string {
  const reason = entry.action === 'authentication.failed' ? String(entry.details.reason ?? '') : '';
  return JSON.stringify([
    entry.actorTokenId ?? entry.actorName,
    entry.actorKind ?? null,
    entry.action,
    entry.sourceIp,
    entry.outcome,
    reason,
  ]);
}

/** The audit entry of a failed authentication: who is not known, so the source and reason stand for it. */
export function authenticationFailure(reason: string, sourceIp: string | null, at: number): AuditEntry {
  return {
    at,
    actorTokenId: null,
    actorName: null,
    actorKind: 'anonymous',
    action: 'authentication.failed',
    targetKind: 'server',
    targetId: null,
    targetName: null,
    outcome: 'failed',
    sourceIp,
    details: { reason },
  };
}

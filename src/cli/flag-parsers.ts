import { InvalidArgumentError } from 'commander';
import { parseDuration, parseTimerDuration } from '../domain/durations.ts';

/** A parser whose errors become commander's, so the CLI prints the flag's rule instead of a stack. */
export function flagParser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** A duration flag (`7d`, `30s`) in milliseconds; its errors name `flag`. */
export function durationFlag(flag: string): (value: string) => number {
  return flagParser((value) => parseDuration(value, flag));
}

/** A duration flag where `0` (or `0s`) means "at once" instead of being refused as no duration. */
export function durationOrZeroFlag(flag: string): (value: string) => number {
  const parse = durationFlag(flag);
  return (value) => (value === '0' || value === '0s' ? 0 : parse(value));
}

/** A duration flag that arms a timer, so at most what one timer holds (about 24 days). */
export function timerDurationFlag(flag: string): (value: string) => number {
  return flagParser((value) => parseTimerDuration(value, flag));
}

/** A count: a whole number, 0 or more. */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

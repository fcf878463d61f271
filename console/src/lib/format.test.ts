import { describe, expect, test } from 'vitest';
import { barLengths, linePath, niceCeiling } from './chart.ts';
import { formatBytes, formatInstant, formatRetention, summarizeList } from './format.ts';

describe('table formatting', () => {
  test('databases read as the Admin UI shows them', () => {
    expect(summarizeList(['sensors'])).toBe('sensors');
    expect(summarizeList(['sensors', 'logs'])).toBe('sensors, + 1 more');
    expect(summarizeList([])).toBe('None');
  });

  test('instants are RFC3339 UTC; missing ones say so', () => {
    expect(formatInstant('2031-01-15T08:30:00.000Z')).toBe('2031-01-15T08:30:00Z');
    expect(formatInstant('2031-01-15T08:30:00.123Z')).toBe('2031-01-15T08:30:00.123Z');
    expect(formatInstant(undefined)).toBe('N/A');
    expect(formatInstant(null, 'Never')).toBe('Never');
  });

  test('retention in nanoseconds reads in the CLI syntax', () => {
    expect(formatRetention(0)).toBe('Infinite');
    expect(formatRetention(30 * 86_400e9)).toBe('30d');
    expect(formatRetention(2 * 7 * 86_400e9)).toBe('2w');
    expect(formatRetention(36 * 3_600e9)).toBe('36h');
  });

  test('sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
  });
});

describe('chart geometry', () => {
  test('axis tops are 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 180, 501].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 200, 1000]);
  });

  test('a line spans the plot, zero at the bottom and the top at the top', () => {
    expect(linePath([0, 5, 10], 100, 50, 10)).toBe('M0.0,50.0 L50.0,25.0 L100.0,0.0');
    expect(linePath([], 100, 50, 10)).toBe('');
  });

  test('the largest bar fills the width; a tiny non-zero value stays visible', () => {
    expect(barLengths([0, 1, 1000], 300)).toEqual([0, 1, 300]);
    expect(barLengths([0, 0], 300)).toEqual([0, 0]);
  });
});

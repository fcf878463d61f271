import { describe, expect, test } from 'vitest';
import {
  auditFilterQuery,
  auditPageQuery,
  describeVerification,
  NO_AUDIT_FILTERS,
  newestRefusals,
} from './audit-query.ts';

/** The parameters `GET /api/v0/audit` takes (src/http/v0/audit-routes.ts); any other is a 400. */
const API_PARAMETERS = ['since', 'until', 'actor', 'action', 'outcome', 'limit', 'cursor'];

describe('audit filters as the API takes them', () => {
  test('nothing filled in sends only the page size', () => {
    const result = auditFilterQuery(NO_AUDIT_FILTERS);
    expect(result).toEqual({ ok: true, query: {} });
    expect(auditPageQuery({}, 50, undefined)).toEqual({ limit: 50 });
  });

  test('every field filled in maps to exactly the parameters of the API, times as RFC3339 UTC', () => {
    const result = auditFilterQuery({
      actor: ' ci-bot ',
      action: 'database_token.*',
      outcome: 'denied',
      sinceDate: '2031-01-15',
      sinceTime: '08:30',
      untilDate: '2031-01-16',
      untilTime: '',
    });
    expect(result).toEqual({
      ok: true,
      query: {
        actor: 'ci-bot',
        action: 'database_token.*',
        outcome: 'denied',
        since: '2031-01-15T08:30:00.000Z',
        until: '2031-01-16T00:00:00.000Z',
      },
    });
    if (!result.ok) return;
    const page = auditPageQuery(result.query, 25, 'opaque-cursor');
    expect(page).toEqual({ ...result.query, limit: 25, cursor: 'opaque-cursor' });
    for (const name of Object.keys(page)) expect(API_PARAMETERS).toContain(name);
  });

  test('a past instant is fine (unlike an expiry); a bad date or time is named by its field', () => {
    expect(auditFilterQuery({ ...NO_AUDIT_FILTERS, sinceDate: '2001-01-01' })).toEqual({
      ok: true,
      query: { since: '2001-01-01T00:00:00.000Z' },
    });
    expect(auditFilterQuery({ ...NO_AUDIT_FILTERS, sinceDate: '2031-02-30' })).toEqual({
      ok: false,
      problems: [{ field: 'sinceDate', message: '2031-02-30 is not a date of the calendar' }],
    });
    const badTime = auditFilterQuery({ ...NO_AUDIT_FILTERS, untilDate: '2031-01-15', untilTime: '25:00' });
    expect(badTime).toEqual({ ok: false, problems: [{ field: 'untilTime', message: '25:00 is not a time of day' }] });
    const timeOnly = auditFilterQuery({ ...NO_AUDIT_FILTERS, sinceTime: '08:30' });
    expect(timeOnly).toEqual({
      ok: false,
      problems: [{ field: 'sinceDate', message: 'Enter a date for Since as well' }],
    });
  });

  test('Until before Since is refused on the Until field', () => {
    const result = auditFilterQuery({ ...NO_AUDIT_FILTERS, sinceDate: '2031-01-15', untilDate: '2031-01-14' });
    expect(result).toEqual({
      ok: false,
      problems: [{ field: 'untilDate', message: 'Until must not be before Since' }],
    });
  });
});

describe('the verification result in words', () => {
  test('an intact chain says how many entries were checked and which', () => {
    expect(describeVerification({ ok: true, checked: 12, anchor: null, head: { seq: 12, hash: 'a'.repeat(64) } })).toBe(
      'Chain intact: 12 entries checked (seq 1–12).',
    );
    expect(
      describeVerification({
        ok: true,
        checked: 3,
        anchor: { seq: 9, hash: 'b'.repeat(64) },
        head: { seq: 12, hash: 'a'.repeat(64) },
      }),
    ).toBe('Chain intact: 3 entries checked (seq 10–12).');
    expect(describeVerification({ ok: true, checked: 0, anchor: null, head: null })).toBe(
      'Chain intact: 0 entries checked (the log is empty).',
    );
  });

  test('a broken chain names its first bad entry, how it is bad and what was verified before it', () => {
    const text = describeVerification({
      ok: false,
      checked: 430,
      anchor: null,
      head: { seq: 905, hash: 'a'.repeat(64) },
      problem: { seq: 431, id: '431', kind: 'edited', message: 'entry 431 does not match its hash: it was edited' },
    });
    expect(text).toBe(
      'Chain broken. First bad entry: 431 (seq 431, edited): entry 431 does not match its hash: it was edited. 430 entries before it verified.',
    );
  });
});

describe('the Overview’s recent refusals', () => {
  test('denied actions and failed authentications merge newest first, up to the limit', () => {
    const denied = [{ seq: 9 }, { seq: 4 }, { seq: 2 }];
    const failed = [{ seq: 8 }, { seq: 7 }, { seq: 1 }];
    expect(newestRefusals(denied, failed, 4).map((e) => e.seq)).toEqual([9, 8, 7, 4]);
    expect(newestRefusals([], failed, 10).map((e) => e.seq)).toEqual([8, 7, 1]);
    expect(newestRefusals([], [], 10)).toEqual([]);
  });
});

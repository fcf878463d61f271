import { describe, expect, test } from 'vitest';
import { expiryFrom, fieldsFromInstant, fieldsInDays, parseDate, parseTime } from './expiry.ts';

const NOW = Date.UTC(2030, 5, 1, 12, 0, 0);

describe('typed expiry fields', () => {
  test('an ISO date and a 24-hour time are read as UTC', () => {
    expect(expiryFrom({ enabled: true, date: '2031-01-15', time: '08:30' }, NOW)).toEqual({
      ok: true,
      expiresAt: '2031-01-15T08:30:00.000Z',
    });
  });

  test('an empty time means midnight', () => {
    expect(expiryFrom({ enabled: true, date: '2031-01-15', time: '' }, NOW)).toEqual({
      ok: true,
      expiresAt: '2031-01-15T00:00:00.000Z',
    });
  });

  test('no expiry when the toggle is off, whatever the fields hold', () => {
    expect(expiryFrom({ enabled: false, date: 'garbage', time: '99:99' }, NOW)).toEqual({ ok: true, expiresAt: null });
  });

  test('each bad input names its field', () => {
    expect(expiryFrom({ enabled: true, date: '', time: '' }, NOW)).toMatchObject({ ok: false, field: 'date' });
    expect(expiryFrom({ enabled: true, date: '15/01/2031', time: '' }, NOW)).toMatchObject({
      ok: false,
      field: 'date',
    });
    expect(expiryFrom({ enabled: true, date: '2031-02-30', time: '' }, NOW)).toMatchObject({
      ok: false,
      field: 'date',
      message: '2031-02-30 is not a date of the calendar',
    });
    expect(expiryFrom({ enabled: true, date: '2031-01-15', time: '8.30' }, NOW)).toMatchObject({
      ok: false,
      field: 'time',
    });
    expect(expiryFrom({ enabled: true, date: '2031-01-15', time: '24:00' }, NOW)).toMatchObject({
      ok: false,
      field: 'time',
    });
  });

  test('a time in the past is refused before anything is sent', () => {
    expect(expiryFrom({ enabled: true, date: '2030-06-01', time: '11:59' }, NOW)).toMatchObject({
      ok: false,
      field: 'date',
      message: 'The expiration must be in the future',
    });
  });

  test('parsers accept what the pickers produce', () => {
    expect(parseDate('2031-01-15')).toEqual({ year: 2031, month: 1, day: 15 });
    expect(parseTime('08:30')).toEqual({ hours: 8, minutes: 30, seconds: 0 });
    expect(parseTime('08:30:15')).toEqual({ hours: 8, minutes: 30, seconds: 15 });
  });
});

describe('quick picks and editing', () => {
  test('7, 30 and 90 days from now, to the minute', () => {
    expect(fieldsInDays(7, NOW)).toEqual({ date: '2030-06-08', time: '12:00' });
    expect(fieldsInDays(30, NOW + 30_000)).toEqual({ date: '2030-07-01', time: '12:01' });
    expect(fieldsInDays(90, NOW)).toEqual({ date: '2030-08-30', time: '12:00' });
  });

  test('an existing expiry fills the fields; none leaves the toggle off', () => {
    expect(fieldsFromInstant('2031-01-15T08:30:00.000Z')).toEqual({ enabled: true, date: '2031-01-15', time: '08:30' });
    expect(fieldsFromInstant(undefined)).toEqual({ enabled: false, date: '', time: '' });
  });
});

import assert from 'node:assert/strict';
import { parseLineProtocol } from '../../../src/storage/lineprotocol/parse.ts';
import type { FieldValue, Point, Precision } from '../../../src/storage/lineprotocol/types.ts';

/** Parses a single good line and returns its point, failing the test if the line was rejected. */
export function parsePoint(line: string, precision: Precision = 'ns'): Point {
  const result = parseLineProtocol(line, precision);
  assert.deepEqual(result.errors, [], `expected '${line}' to parse`);
  assert.equal(result.points.length, 1);
  return result.points[0]!.point;
}

/** Parses a single bad line and returns its error message, failing the test if the line was accepted. */
export function parseError(line: string, precision: Precision = 'ns'): string {
  const result = parseLineProtocol(line, precision);
  assert.deepEqual(result.points, [], `expected '${line}' to be rejected`);
  assert.equal(result.errors.length, 1);
  const error = result.errors[0]!;
  assert.equal(error.lineNumber, 1);
  return error.message;
}

export function fieldOf(line: string, key = 'v'): FieldValue {
  const field = parsePoint(line).fields.find(([name]) => name === key);
  assert.ok(field, `no field '${key}' in '${line}'`);
  return field[1];
}

export const float = (value: number): FieldValue => ({ type: 'float', value });
export const integer = (value: bigint): FieldValue => ({ type: 'integer', value });
export const uinteger = (value: bigint): FieldValue => ({ type: 'uinteger', value });
export const string = (value: string): FieldValue => ({ type: 'string', value });
export const boolean = (value: boolean): FieldValue => ({ type: 'boolean', value });

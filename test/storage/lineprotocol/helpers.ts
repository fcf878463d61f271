import assert from 'node:assert/strict';
import { parseLineProtocol as parseText } from '../../../src/storage/lineprotocol/parse.ts';
import { parseLineProtocolBuffer } from '../../../src/storage/lineprotocol/parse-buffer.ts';
import type { FieldValue, ParseResult, Point, Precision } from '../../../src/storage/lineprotocol/types.ts';

/**
 * `parseLineProtocol`, checked against the byte parser the server uses: for the body's UTF-8 bytes
 * that one must give the same points and errors, so every parser test covers both.
 */
export function parseLineProtocol(body: string, precision: Precision): ParseResult {
  const result = parseText(body, precision);
  const bytes = Buffer.from(body, 'utf8');
  // Lone surrogates do not survive UTF-8; compare with what the server would decode.
  const expected = bytes.toString('utf8') === body ? result : parseText(bytes.toString('utf8'), precision);
  const batch = parseLineProtocolBuffer(bytes, precision);
  assert.deepEqual(batch.toParsedLines(), expected.points, `byte parser points differ for ${JSON.stringify(body)}`);
  assert.deepEqual(batch.errors, expected.errors, `byte parser errors differ for ${JSON.stringify(body)}`);
  return result;
}

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

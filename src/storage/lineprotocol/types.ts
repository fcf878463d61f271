/** The result of parsing line protocol: typed points, and per-line errors with line numbers. */
export type FieldValue =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: bigint }
  | { type: 'uinteger'; value: bigint }
  | { type: 'string'; value: string }
  | { type: 'boolean'; value: boolean };

export type FieldType = FieldValue['type'];

export interface Point {
  measurement: string;
  /** Tag key/value pairs in the order written; keys are unique. */
  tags: Array<[string, string]>;
  /** Field key/value pairs in the order written; at least one; keys are unique. */
  fields: Array<[string, FieldValue]>;
  /** Nanoseconds since the epoch, already scaled from the write precision; null when the line had none. */
  timestampNs: bigint | null;
}

export interface ParsedLine {
  /** 1-based line number in the request body. */
  lineNumber: number;
  point: Point;
}

export interface LineError {
  lineNumber: number;
  /** The line as sent (clipped to a sensible length for error bodies). */
  originalLine: string;
  message: string;
}

/** `auto`: the unit is guessed from each timestamp's magnitude, as InfluxDB 3 does (see `guessTimeNs`). */
export type Precision = 'ns' | 'us' | 'ms' | 's' | 'auto';

export interface ParseResult {
  points: ParsedLine[];
  errors: LineError[];
}

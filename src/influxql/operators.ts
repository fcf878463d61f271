import type { BinaryOp } from './ast.ts';

/**
 * How tightly each binary operator binds, loosest first, as InfluxDB 1.x's own parser ranks them:
 * the parser climbs by it and the printer parenthesises by it, so the two cannot drift apart.
 */
export const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  OR: 1,
  AND: 2,
  '=': 3,
  '!=': 3,
  '=~': 3,
  '!~': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '|': 4,
  '^': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '&': 5,
};

/** Whether an operator token's text is a binary operator of InfluxQL. */
export function isBinaryOp(text: string): text is BinaryOp {
  return Object.hasOwn(PRECEDENCE, text);
}

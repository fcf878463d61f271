/**
 * A statement error: the statement cannot run as written (unknown function, mixing aggregate and raw
 * fields, a bad time). Faces report it in the statement's result; the other statements still run.
 */
export class InfluxqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfluxqlError';
  }
}

/**
 * Why a statement or function outside the InfluxQL that InfluxDB 3 answers is refused: fluxgate
 * answers that subset on purpose (`SHOW SERIES`, `SELECT INTO`, `top()`, …), so the refusal says so.
 */
export function outsideInfluxql3(what: string): string {
  return `${what} is not supported: fluxgate answers the InfluxQL that InfluxDB 3 answers, which leaves it out`;
}

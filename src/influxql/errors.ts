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

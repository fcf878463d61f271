import pg from 'pg';

/**
 * node-postgres returns int8 (bigint columns, count, max) as strings. The catalog's int8 values
 * are ids and epoch milliseconds, all far below 2^53, so parse them to numbers, but only on the
 * catalog's own connections: the global parser belongs to whoever else uses pg in the process.
 */
export const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? Number
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

import { byteOrder } from '../../support/byte-order.ts';
import type { FieldType } from '../lineprotocol/types.ts';
import type { MeasurementSchema } from '../storage.ts';
import type { ColumnRegistry } from './column-registry.ts';

/**
 * The registry's tables as measurements: tags and typed fields, each list in byte order. Columns of a
 * type line protocol cannot write (none are ever created) are left out; so is `time`.
 */
export function measurementSchemas(registry: ColumnRegistry): MeasurementSchema[] {
  const schemas: MeasurementSchema[] = [];
  for (const table of registry.all()) {
    const tags: string[] = [];
    const fields: Array<{ name: string; type: FieldType }> = [];
    for (const column of table.columns) {
      if (column.kind === 'tag') tags.push(column.name);
      else if (column.kind !== 'time' && column.kind !== 'other') fields.push({ name: column.name, type: column.kind });
    }
    tags.sort(byteOrder);
    fields.sort((a, b) => byteOrder(a.name, b.name));
    schemas.push({ name: table.name, tags, fields });
  }
  return schemas.sort((a, b) => byteOrder(a.name, b.name));
}

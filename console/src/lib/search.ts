/** Case-insensitive match of a search box against a row's description, name or id. */
export function matches(search: string, ...fields: Array<string | number | null | undefined>): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  return fields.some((field) => field !== null && field !== undefined && String(field).toLowerCase().includes(needle));
}

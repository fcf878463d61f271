/** Quotes an identifier for DuckDB SQL; any unicode name works. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The key DuckDB compares identifiers by: it is case-insensitive for ASCII letters only, so `CPU`
 * and `cpu` are one table while `É` and `é` are two.
 */
export function identifierKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

import { RecentCache } from '../support/recent-cache.ts';

/** Texts kept: dashboards repeat a few queries, each refresh the same text. */
const MAX_ENTRIES = 256;
/** Longer texts are parsed every time (their trees are large, and they are rarely repeated). */
const MAX_SQL_LENGTH = 4_096;

/** What the validator needs of a parser: the parse tree of the one SELECT statement in a text. */
export interface SelectParser {
  parseSelect(sql: string): Promise<unknown>;
}

/**
 * The parse trees of the SQL texts seen last, so a repeated query is parsed once, not each time (two
 * calls into the parser's DuckDB instance, about a millisecond). A tree depends on
 * the text alone and the validator only reads it, so one tree serves every caller; what a query may
 * read is still decided per query, against the schema of its own database. A text that does not
 * parse is not kept.
 */
export class ParseCache implements SelectParser {
  private readonly trees: RecentCache<string, unknown>;

  constructor(
    private readonly parse: (sql: string) => Promise<unknown>,
    maxEntries = MAX_ENTRIES,
  ) {
    this.trees = new RecentCache(maxEntries);
  }

  async parseSelect(sql: string): Promise<unknown> {
    const kept = this.trees.get(sql);
    if (kept !== undefined) return kept;
    const tree = await this.parse(sql);
    if (sql.length <= MAX_SQL_LENGTH) this.trees.set(sql, tree);
    return tree;
  }

  get size(): number {
    return this.trees.size;
  }
}

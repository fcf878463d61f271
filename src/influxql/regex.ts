/**
 * InfluxQL regular expressions are Go's RE2. The SQL side hands them to DuckDB, which is RE2 too;
 * names (measurements, tag keys, field keys) are matched here, in JavaScript, after translating the
 * few RE2 spellings JavaScript writes differently. A pattern JavaScript cannot express is refused.
 */
export function compileRegex(source: string): { regex?: RegExp; error?: string } {
  let pattern = source;
  let flags = '';
  const leading = /^\(\?([imsU]+)\)/.exec(pattern);
  if (leading !== null) {
    if (leading[1]!.includes('U')) return { error: 'the U (ungreedy) flag is not supported' };
    flags = [...new Set(leading[1]!)].join('');
    pattern = pattern.slice(leading[0].length);
  }
  if (/\(\?[imsU-]+[:)]/.test(pattern)) return { error: 'flags inside the pattern are not supported; put them first' };
  if (/\[\[:[a-z]+:\]\]/.test(pattern)) return { error: 'POSIX character classes are not supported' };
  pattern = pattern.replaceAll('(?P<', '(?<').replaceAll('\\A', '^').replaceAll('\\z', '$');
  try {
    return { regex: new RegExp(pattern, flags) };
  } catch (error) {
    return { error: (error as Error).message.replace(/^Invalid regular expression: /, '') };
  }
}

/** A compiled name matcher; the pattern was checked when the query was parsed. */
export function nameMatcher(source: string): (name: string) => boolean {
  const { regex } = compileRegex(source);
  if (regex === undefined) return () => false;
  return (name) => regex.test(name);
}

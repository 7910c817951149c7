/**
 * Quoting for SQL that ODX writes itself (identifiers of loaded columns, constants of mask rules).
 * The one copy: the server and the loaders both use it, and it imports nothing, so neither side
 * can make a cycle through it.
 */

/** A PostgreSQL string expression that is safe whatever `standard_conforming_strings` says. */
export function sqlLiteral(s: string): string {
  if (/[\\\0]/.test(s)) {
    if (s.includes('\0')) throw new Error('NUL characters cannot appear in PostgreSQL text');
    return `convert_from(decode('${Buffer.from(s, 'utf8').toString('hex')}', 'hex'), 'UTF8')`;
  }
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * A PostgreSQL string constant, for the places that take a constant and not an expression
 * (`COMMENT ... IS`); an escape string when there is a backslash, so it too reads the same
 * whatever `standard_conforming_strings` says.
 */
export function sqlConstant(s: string): string {
  if (s.includes('\0')) throw new Error('NUL characters cannot appear in PostgreSQL text');
  const quoted = `'${s.replace(/'/g, "''")}'`;
  return s.includes('\\') ? `E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** Double-quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('NUL in identifier');
  return `"${name.replace(/"/g, '""')}"`;
}

/** SQL formatting a timestamptz expression as ISO 8601 UTC to the second (the text every document shows). */
export function isoSql(expr: string): string {
  return `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}

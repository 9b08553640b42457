/** RFC 4180 field: quoted only when it holds a separator, a quote or a line break (the one CSV rule). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Turns any string into a valid, stable NCName fragment for gml:id values (ids are built from data codes). */
export function ncnamePart(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

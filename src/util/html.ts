/**
 * The one escaping rule for every HTML page ReefGate writes (portal template, landing and 404 pages,
 * OGC API pages): the five markup characters become numeric references, in text and in double- or
 * single-quoted attribute values alike. Station names and labels come from data providers' files.
 */

const MARKUP = /[&<>"']/g;

/** Escapes text or an attribute value for HTML. */
export function escHtml(s: string | number | null | undefined): string {
  if (s === null || s === undefined) return '';
  return String(s).replace(MARKUP, (c) => `&#${c.charCodeAt(0)};`);
}

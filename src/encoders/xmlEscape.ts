// Characters XML 1.0 cannot carry at all; dropped rather than producing an unparsable document.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// Anything that needs work; most values have none, and one test is far cheaper than four replaces.
const NEEDS_WORK = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Escapes text content for XML (also removes characters XML 1.0 forbids). */
export function escText(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  return s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double-quoted) for XML. */
export function escAttr(s: string): string {
  if (!NEEDS_WORK.test(s) && !/["\n\r\t]/.test(s)) return s;
  return escText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

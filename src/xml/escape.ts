/**
 * The one escaping rule for every XML document ReefGate writes, built (xmlbuilder2, see document.ts)
 * or templated (the streaming encoders): characters XML 1.0 cannot carry even escaped become U+FFFD,
 * markup characters become entities. Names and labels come from data providers' files, and one stray
 * control character must never make a document unparsable.
 */

/** Characters XML 1.0 cannot carry: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

// Anything that needs work; most values have none, and one test is far cheaper than several replaces.
const TEXT_WORK = /[&<>]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTR_WORK = /[&<>"'\t\n\r]|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** What replaces a character XML cannot carry (also used by the document builder). */
export const XML_REPLACEMENT_CHAR = '\uFFFD';

/** Replaces the characters XML 1.0 cannot carry. */
export function xmlChars(s: string): string {
  return s.replace(NOT_XML_CHAR, XML_REPLACEMENT_CHAR);
}

/** Escapes text content for XML. */
export function escText(s: string): string {
  if (!TEXT_WORK.test(s)) return s;
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes a double-quoted attribute value (line breaks and tabs as references so they survive normalisation). */
export function escAttr(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  if (!ATTR_WORK.test(s)) return s;
  return escText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

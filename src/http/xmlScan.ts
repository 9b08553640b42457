import { OwsError } from '../ows/errors';

/** Bounds on the shape of an XML request, checked before the parser builds anything. */
export interface XmlShapeLimits {
  /** Deepest element nesting. */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
  /** Attributes (namespace declarations included) in the whole document. */
  maxAttributes: number;
  /** Attributes on one element. */
  maxAttributesPerElement: number;
  /** Characters in an element name (the validator copies names character by character). */
  maxNameLength: number;
}

/**
 * What an OGC request needs with room to spare (a large FES filter has a few hundred elements; use
 * gml:posList, not one gml:pos per vertex, for big polygons), and what the parser builds in a few tens
 * of ms at most (bench/xml.mjs: ~15 µs per element and attribute pair on an idle core).
 */
export const DEFAULT_XML_SHAPE: XmlShapeLimits = { maxDepth: 64, maxElements: 2000, maxAttributes: 4000, maxAttributesPerElement: 100, maxNameLength: 256 };

const LT = 60, GT = 62, SLASH = 47, BANG = 33, QUESTION = 63, DQ = 34, SQ = 39;

function isNameEnd(ch: number): boolean {
  return ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === GT || ch === SLASH || ch === LT;
}

function tooMuch(what: string, limit: number): OwsError {
  return new OwsError('OperationParsingFailed', 'request', `The XML request has ${what} (limit ${limit})`);
}

/**
 * One linear pass over the body counting elements, attributes and nesting, so a hostile body
 * (260k empty elements, 60k attributes) is refused in milliseconds instead of costing the validator
 * and the tree builder seconds of event loop. Not a validator: well-formedness is checked after.
 */
export function checkXmlShape(text: string, limits: XmlShapeLimits = DEFAULT_XML_SHAPE): void {
  let depth = 0;
  let elements = 0;
  let attributes = 0;
  let i = text.indexOf('<');
  const n = text.length;
  while (i >= 0 && i < n) {
    const c = text.charCodeAt(i + 1);
    if (c === BANG) {
      // Comment or CDATA: skip to its end (DTDs are refused before this scan).
      const end = text.startsWith('<!--', i) ? text.indexOf('-->', i + 4) : text.startsWith('<![CDATA[', i) ? text.indexOf(']]>', i + 9) : text.indexOf('>', i + 2);
      if (end < 0) return;
      i = text.indexOf('<', end + 2);
      continue;
    }
    if (c === QUESTION) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return;
      i = text.indexOf('<', end + 2);
      continue;
    }
    if (c === SLASH) {
      depth--;
      const end = text.indexOf('>', i + 2);
      if (end < 0) return;
      i = text.indexOf('<', end + 1);
      continue;
    }
    // A start tag: walk it to its closing '>' (quoted values may hold '>'), counting quoted values.
    if (++elements > limits.maxElements) throw tooMuch(`more than ${limits.maxElements} elements`, limits.maxElements);
    let j = i + 1;
    while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
    if (j - i - 1 > limits.maxNameLength) throw tooMuch(`an element name longer than ${limits.maxNameLength} characters`, limits.maxNameLength);
    let onThis = 0;
    let quote = 0;
    for (; j < n; j++) {
      const ch = text.charCodeAt(j);
      if (quote) {
        if (ch === quote) quote = 0;
      } else if (ch === DQ || ch === SQ) {
        quote = ch;
        if (++onThis > limits.maxAttributesPerElement) throw tooMuch(`an element with more than ${limits.maxAttributesPerElement} attributes`, limits.maxAttributesPerElement);
        if (++attributes > limits.maxAttributes) throw tooMuch(`more than ${limits.maxAttributes} attributes`, limits.maxAttributes);
      } else if (ch === GT || ch === LT) break;
    }
    if (j >= n) return;
    const selfClosing = text.charCodeAt(j) === GT && text.charCodeAt(j - 1) === SLASH;
    if (!selfClosing && ++depth > limits.maxDepth) throw tooMuch(`nesting deeper than ${limits.maxDepth} levels`, limits.maxDepth);
    i = text.charCodeAt(j) === LT ? j : text.indexOf('<', j + 1);
  }
}

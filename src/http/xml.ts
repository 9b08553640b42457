import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { OwsError } from '../ows/errors';
import { checkXmlShape, DEFAULT_XML_SHAPE, XmlShapeLimits } from './xmlScan';
import { NS } from '../xml/namespaces';

/** A namespace-resolved XML element (what request parsers walk). */
export interface XmlElement {
  ns: string;
  local: string;
  /** Qualified name as written (with prefix). */
  qname: string;
  /** Attributes by qualified name as written, plus `{ns}local` keys for prefixed ones. */
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** Prefix → namespace in scope at this element (to resolve QName values such as typeNames). */
  scope: Record<string, string>;
}

export type XmlLimits = Pick<XmlShapeLimits, 'maxDepth'> & Partial<XmlShapeLimits>;

/** Longest parser message echoed in a report: the validator's can list the whole tag stack (2.8 MB for a 1 MiB body). */
const MAX_ECHO = 200;

/**
 * Parses an XML request body; DTDs and entity declarations are refused (no XXE, no entity expansion),
 * and the element, attribute and depth limits are checked before the parser builds anything.
 */
export function parseXml(text: string, limits: XmlLimits = { maxDepth: 64 }): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new OwsError('OperationParsingFailed', 'request', 'DTDs and entity declarations are not allowed in requests');
  }
  // XML 1.0 forbids these even as references; the validator lets some through and they would be echoed back.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text)) {
    throw new OwsError('OperationParsingFailed', 'request', 'The request contains characters that XML does not allow');
  }
  checkXmlShape(text, { ...DEFAULT_XML_SHAPE, ...limits });
  const aside = setAsideLongText(text);
  if (aside) text = aside.text;
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const msg = valid.err.msg.length > MAX_ECHO ? `${valid.err.msg.slice(0, MAX_ECHO)}…` : valid.err.msg;
    throw new OwsError('OperationParsingFailed', 'request', `Malformed XML: ${msg} (line ${valid.err.line})`);
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
  });
  let tree: RawNode[];
  try {
    tree = parser.parse(text) as RawNode[];
  } catch (err) {
    // The parser's own limits (e.g. its nesting cap, reached before ours for deep input) are input errors, not faults.
    const msg = /nested/i.test((err as Error).message) ? `XML nesting deeper than ${limits.maxDepth} levels` : 'Malformed XML';
    throw new OwsError('OperationParsingFailed', 'request', msg);
  }
  const root = tree.find((n) => elementName(n) !== null);
  if (!root) throw new OwsError('OperationParsingFailed', 'request', 'The request body has no root element');
  return convert(root, { xml: NS.xml }, 1, limits, aside);
}

type RawNode = Record<string, unknown>;

/**
 * Text runs this long or longer are set aside before validating and parsing: an InsertResult's
 * resultValues (hundreds of KB) cost the parser about 3 ms per 100 KB, most of it building the text one
 * character at a time and collecting the garbage; a placeholder costs nothing.
 */
const LONG_TEXT = 4096;
/**
 * What a long run of plain text between a tag's end and the next tag may not hold to be set aside: with
 * no `&` (entities stay the parser's), quotes or `>`, it cannot be part of the markup of a well-formed
 * document (an attribute value holding `<` is malformed with or without the placeholder); inside a
 * CDATA section it comes back unchanged, inside a comment it goes with the comment.
 */
const MARKUP_CHAR = /[>&"']/;

interface Aside {
  /** The document with each run replaced by mark + index + mark. */
  text: string;
  runs: string[];
  /** A private-use character and a random nonce: no document can hold it by chance or on purpose. */
  mark: string;
  back: RegExp;
}

function setAsideLongText(text: string): Aside | undefined {
  if (text.length < LONG_TEXT) return undefined;
  const runs: string[] = [];
  const parts: string[] = [];
  let mark = '';
  let done = 0;
  // From each `>` to the next `<`: a tag's end and the next tag, where text runs are.
  for (let gt = text.indexOf('>'); gt >= 0; gt = text.indexOf('>', gt + 1)) {
    const lt = text.indexOf('<', gt + 1);
    if (lt < 0) break;
    if (lt - gt - 1 >= LONG_TEXT) {
      const run = text.slice(gt + 1, lt);
      if (!MARKUP_CHAR.test(run)) {
        mark ||= `\uE000${randomBytes(8).toString('hex')}`;
        // The parser normalises line ends in the whole document (XML 1.0 §2.11); the runs it no longer sees get the same.
        parts.push(text.slice(done, gt + 1), `${mark}${runs.push(run.replace(/\r\n?/g, '\n')) - 1}${mark}`);
        done = lt;
      }
    }
    gt = lt - 1;
  }
  if (!runs.length) return undefined;
  parts.push(text.slice(done));
  return { text: parts.join(''), runs, mark, back: new RegExp(`${mark}(\\d+)${mark}`, 'g') };
}

function elementName(n: RawNode): string | null {
  for (const k of Object.keys(n)) if (k !== ':@' && k !== '#text' && k !== '#comment' && !k.startsWith('?')) return k;
  return null;
}

function convert(n: RawNode, parentScope: Record<string, string>, depth: number, limits: XmlLimits, aside: Aside | undefined): XmlElement {
  if (depth > limits.maxDepth) throw new OwsError('OperationParsingFailed', 'request', `XML nesting deeper than ${limits.maxDepth} levels`);
  const qname = elementName(n)!;
  const rawAttrs = (n[':@'] ?? {}) as Record<string, string>;
  let scope = parentScope;
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parentScope) scope = { ...parentScope };
      scope[k === 'xmlns' ? '' : k.slice(6)] = String(v);
    }
  }
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    attrs[k] = String(v);
    const c = k.indexOf(':');
    if (c > 0) {
      const ns = scope[k.slice(0, c)];
      if (ns) attrs[`{${ns}}${k.slice(c + 1)}`] = String(v);
    }
  }
  const c = qname.indexOf(':');
  const prefix = c > 0 ? qname.slice(0, c) : '';
  const local = c > 0 ? qname.slice(c + 1) : qname;
  const ns = scope[prefix] ?? '';
  if (prefix && ns === '' && prefix !== 'xml') {
    throw new OwsError('OperationParsingFailed', 'request', `Undeclared namespace prefix "${prefix}"`);
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (n[qname] ?? []) as RawNode[]) {
    if ('#text' in child) text += String(child['#text']);
    else if (elementName(child) !== null) children.push(convert(child, scope, depth + 1, limits, aside));
  }
  if (aside && text.includes(aside.mark)) text = text.replace(aside.back, (_, i: string) => aside.runs[Number(i)]);
  return { ns, local, qname, attrs, children, text: text.trim(), scope };
}

/** First child with this local name (and namespace when given). */
export function child(el: XmlElement, local: string, ns?: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local && (ns === undefined || c.ns === ns));
}

/** All children with this local name. */
export function childrenNamed(el: XmlElement, local: string, ns?: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && (ns === undefined || c.ns === ns));
}


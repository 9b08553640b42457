import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

/**
 * Adds a child element in an explicit namespace (xmlbuilder2 escapes every text and attribute value).
 * `text` undefined = empty element.
 */
export function el(parent: XMLBuilder, ns: string, qname: string, attrs?: Record<string, string>, text?: string): XMLBuilder {
  const node = parent.ele(ns, qname);
  if (attrs) for (const [k, v] of Object.entries(attrs)) node.att(k, v);
  if (text !== undefined) node.txt(text);
  return node;
}

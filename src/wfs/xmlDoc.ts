import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

/** Namespaces of the WFS documents, by the literal prefix clients expect. */
export const NS: Record<string, string> = {
  wfs: 'http://www.opengis.net/wfs/2.0',
  wfs1: 'http://www.opengis.net/wfs',
  ows: 'http://www.opengis.net/ows/1.1',
  ows10: 'http://www.opengis.net/ows',
  fes: 'http://www.opengis.net/fes/2.0',
  ogc: 'http://www.opengis.net/ogc',
  gml: 'http://www.opengis.net/gml/3.2',
  gml1: 'http://www.opengis.net/gml',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
};

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

import { xmlDocument } from '../xml/document';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { NS, NsKey, nsPrefix } from '../xml/namespaces';

export type { XMLBuilder };

/** Starts an XML document whose root declares the given prefixes (from NS); children use prefixed names. */
export function xmlRoot(qname: string, prefixes: NsKey[], attrs: Record<string, string> = {}): XMLBuilder {
  const prefix = qname.split(':')[0] as NsKey;
  const decl: Record<string, string> = {};
  for (const p of new Set([prefix, ...prefixes])) decl[`xmlns:${nsPrefix(p)}`] = NS[p];
  return xmlDocument().ele(NS[prefix], qname, { ...decl, ...attrs });
}

/** Serializes a document built with xmlRoot. */
export function xmlString(root: XMLBuilder): string {
  return root.end({ prettyPrint: false });
}

/** Adds `<name>text</name>` children for each value. */
export function eleTexts(parent: XMLBuilder, name: string, values: (string | number)[]): void {
  for (const v of values) parent.ele(name).txt(String(v));
}

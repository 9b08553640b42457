import { xmlDocument } from '../xml/document';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { NS } from './ns';

export type { XMLBuilder };

/** Starts an XML document whose root declares the given prefixes (from NS); children use prefixed names. */
export function xmlRoot(qname: string, prefixes: (keyof typeof NS)[], attrs: Record<string, string> = {}): XMLBuilder {
  const prefix = qname.split(':')[0] as keyof typeof NS;
  const decl: Record<string, string> = {};
  for (const p of new Set([prefix, ...prefixes])) decl[`xmlns:${xmlPrefix(p)}`] = NS[p];
  return xmlDocument().ele(NS[prefix], qname, { ...decl, ...attrs });
}

/** The XML prefix written for an NS key (versioned keys share their family's usual prefix). */
function xmlPrefix(key: keyof typeof NS): string {
  const map: Partial<Record<keyof typeof NS, string>> = { sos10: 'sos', om10: 'om', gml311: 'gml', swe101: 'swe', sml20: 'sml', sml101: 'sml' };
  return map[key] ?? key;
}

/** Serializes a document built with xmlRoot. */
export function xmlString(root: XMLBuilder): string {
  return root.end({ prettyPrint: false });
}

/** Adds `<name>text</name>` children for each value. */
export function eleTexts(parent: XMLBuilder, name: string, values: (string | number)[]): void {
  for (const v of values) parent.ele(name).txt(String(v));
}

import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { XML_REPLACEMENT_CHAR } from './escape';
import { NS, NsKey, nsPrefix, xmlnsAttrs } from './namespaces';

export type { XMLBuilder };

/**
 * The one way to build a small document (capabilities, schemas, sensor descriptions, metadata records):
 * xmlRoot() starts it with its namespaces declared from the table in namespaces.ts, children are added
 * by prefixed name (`root.ele('ows:Title').txt(...)`, resolved from those declarations), xmlString()
 * serialises it. Large documents (features, observations) stream through encoders/chunkWriter.ts instead.
 */

/**
 * An empty document. xmlbuilder2 escapes markup; the replacement option applies the same character
 * rule as escape.ts, so a builder document and a streamed one treat a forbidden character alike.
 */
function xmlDocument(): XMLBuilder {
  return create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: XML_REPLACEMENT_CHAR });
}

/**
 * Starts a document whose root element is `key:LocalName` (key from the namespace table, written with
 * its prefix, or unprefixed for a default namespace) and declares the root's namespace and those of
 * `keys`, in that order, before `attrs`.
 */
export function xmlRoot(qname: string, keys: NsKey[], attrs: Record<string, string> = {}): XMLBuilder {
  const [key, local] = qname.split(':') as [NsKey, string];
  const prefix = nsPrefix(key);
  return xmlDocument().ele(NS[key], prefix ? `${prefix}:${local}` : local, { ...xmlnsAttrs([...new Set([key, ...keys])]), ...attrs });
}

/** Serialises a document built with xmlRoot (indented only for the documents people read: schemas, metadata records). */
export function xmlString(root: XMLBuilder, pretty = false): string {
  return root.end({ prettyPrint: pretty });
}

/** Adds `<name>text</name>` children for each value. */
export function eleTexts(parent: XMLBuilder, name: string, values: readonly (string | number)[]): void {
  for (const v of values) parent.ele(name).txt(String(v));
}

import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { XML_REPLACEMENT_CHAR } from './escape';

export type { XMLBuilder };

/**
 * Starts an XML document for the builder-made (small) documents. xmlbuilder2 escapes markup; the
 * replacement option applies the same character rule as escape.ts, so a builder document and a
 * streamed one treat a forbidden character alike.
 */
export function xmlDocument(): XMLBuilder {
  return create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: XML_REPLACEMENT_CHAR });
}

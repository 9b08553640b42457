import type { XMLBuilder } from '../xml/document';

/** Keywords of the WFS itself, the same in every capabilities version (ows:Keywords: see ows/common.ts). */
export const SERVICE_KEYWORDS: readonly string[] = ['ocean', 'observations', 'stations', 'sea temperature', 'WFS'];

/**
 * WFS 1.0.0 wfs:Keywords is a single string in its schema: the words comma-separated, as GeoServer and
 * MapServer write it. OWSLib's 1.0.0 client reads this element unconditionally and crashes without it.
 */
export function wfs100Keywords(parent: XMLBuilder, words: readonly string[]): void {
  parent.ele('wfs:Keywords').txt(words.join(', '));
}

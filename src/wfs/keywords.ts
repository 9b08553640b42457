import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { el } from './xmlDoc';

/** Keywords of the WFS itself, the same in every capabilities version. */
export const SERVICE_KEYWORDS: readonly string[] = ['ocean', 'observations', 'stations', 'sea temperature', 'WFS'];

/** OWS 1.0/1.1 keywords (WFS 2.0 and 1.1.0): one ows:Keyword element per word, under ows:Keywords in namespace `ows`. */
export function owsKeywords(parent: XMLBuilder, ows: string, words: readonly string[]): void {
  const kw = el(parent, ows, 'ows:Keywords');
  for (const w of words) el(kw, ows, 'ows:Keyword', undefined, w);
}

/**
 * WFS 1.0.0 wfs:Keywords is a single string in its schema: the words comma-separated, as GeoServer and
 * MapServer write it. OWSLib's 1.0.0 client reads this element unconditionally and crashes without it.
 */
export function wfs100Keywords(parent: XMLBuilder, wfs: string, words: readonly string[]): void {
  el(parent, wfs, 'wfs:Keywords', undefined, words.join(', '));
}

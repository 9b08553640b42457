import { commaList } from '../http/kvp';
import { invalidParam } from '../ows/errors';
import type { OwsRequest } from '../ows/types';

/** Sections of a WFS 2.0 capabilities document. */
export const SECTIONS = ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'FeatureTypeList', 'Filter_Capabilities'] as const;
export type Section = (typeof SECTIONS)[number];

/** SECTIONS (KVP or ows:Sections): all when absent or `All`; an unknown name → InvalidParameterValue locator sections. */
export function requestedSections(req: OwsRequest): Set<Section> {
  let names: string[] | undefined;
  if (req.xml) {
    const s = req.xml.children.find((c) => c.local === 'Sections');
    if (s) names = s.children.filter((c) => c.local === 'Section').map((c) => c.text);
  } else if (req.kvp.has('sections')) {
    names = commaList(req.kvp.get('sections'));
  }
  if (!names || names.length === 0) return new Set(SECTIONS);
  const out = new Set<Section>();
  for (const n of names) {
    if (n.toLowerCase() === 'all') return new Set(SECTIONS);
    const s = SECTIONS.find((x) => x.toLowerCase() === n.toLowerCase());
    if (!s) throw invalidParam('sections', `Unknown section "${n.slice(0, 60)}"; use ${SECTIONS.join(', ')} or All`);
    out.add(s);
  }
  return out;
}

import { commaList } from '../http/kvp';
import { invalidParam, OwsError } from '../ows/errors';
import type { OwsRequest } from '../ows/types';

export const SECTIONS = ['ServiceIdentification', 'ServiceProvider', 'OperationsMetadata', 'FilterCapabilities', 'Contents'] as const;
export type Section = (typeof SECTIONS)[number];

/** A parsed GetCapabilities request (either binding). */
export interface CapabilitiesRequest {
  version: '2.0.0' | '1.0.0';
  sections: Set<Section>;
  updateSequence?: string;
}

function xmlList(req: OwsRequest, container: string, item: string): string[] | undefined {
  const c = req.xml?.children.find((e) => e.local === container);
  return c ? c.children.filter((e) => e.local === item).map((e) => e.text.trim()) : undefined;
}

/** Negotiates the version (AcceptVersions, else VERSION, else the highest) and reads Sections. */
export function parseCapabilitiesRequest(req: OwsRequest, supported: string[]): CapabilitiesRequest {
  const accept = req.xml ? xmlList(req, 'AcceptVersions', 'Version') : req.kvp.has('acceptversions') ? commaList(req.kvp.get('acceptversions')) : undefined;
  let version: string | undefined;
  if (accept !== undefined) {
    version = accept.find((v) => supported.includes(v));
    if (!version) throw new OwsError('VersionNegotiationFailed', 'AcceptVersions', `None of the versions ${accept.join(', ')} is supported; supported: ${supported.join(', ')}`);
  } else if (req.version && supported.includes(req.version.trim())) {
    version = req.version.trim();
  } else {
    version = supported[0];
  }
  const rawSections = req.xml ? xmlList(req, 'Sections', 'Section') : req.kvp.has('sections') ? commaList(req.kvp.get('sections')) : undefined;
  const sections = new Set<Section>();
  if (rawSections === undefined || rawSections.length === 0) SECTIONS.forEach((s) => sections.add(s));
  else {
    for (const s of rawSections) {
      if (s.toLowerCase() === 'all') SECTIONS.forEach((x) => sections.add(x));
      else {
        const m = SECTIONS.find((x) => x.toLowerCase() === s.toLowerCase() || (x === 'FilterCapabilities' && s.toLowerCase() === 'filter_capabilities'));
        if (!m) throw invalidParam('sections', `Unknown section "${s}"; use ${SECTIONS.join(', ')} or All`);
        sections.add(m);
      }
    }
  }
  const updateSequence = req.xml ? req.xml.attrs.updateSequence : req.kvp.get('updatesequence');
  return { version: version as '2.0.0' | '1.0.0', sections, updateSequence: updateSequence?.trim() || undefined };
}

/** Compares the client's updateSequence with ours: equal → 'same'; greater → InvalidUpdateSequence. */
export function checkUpdateSequence(client: string | undefined, current: string): 'same' | 'send' {
  if (client === undefined) return 'send';
  if (client === current) return 'same';
  if (client > current) throw new OwsError('InvalidUpdateSequence', 'updateSequence', `updateSequence "${client}" is newer than the service's "${current}"`);
  return 'send';
}

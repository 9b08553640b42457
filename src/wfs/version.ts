import { commaList } from '../http/kvp';
import { invalidParam, OwsError } from '../ows/errors';
import type { OwsRequest } from '../ows/types';

/** WFS protocol versions served, highest first. */
export const WFS_VERSIONS = ['2.0.0', '1.1.0', '1.0.0'] as const;
export type WfsVersion = (typeof WFS_VERSIONS)[number];

/** Maps a client's version string onto a served version ("2.0.2" → 2.0.0, "1.1" → 1.1.0); null if none fits. */
export function matchVersion(v: string): WfsVersion | null {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
  if (!m) return null;
  return WFS_VERSIONS.find((x) => x.startsWith(`${m[1]}.${m[2]}.`)) ?? null;
}

/**
 * Version negotiation of GetCapabilities: the first of AcceptVersions that we serve; else VERSION when
 * served; else the highest (GDAL sends neither and needs 2.0.0). No acceptable version → VersionNegotiationFailed.
 */
export function negotiateCapabilitiesVersion(req: OwsRequest): WfsVersion {
  const accept = req.xml ? acceptVersionsFromXml(req) : req.kvp.get('acceptversions');
  if (accept !== undefined && accept.trim() !== '') {
    for (const v of commaList(accept)) {
      const m = matchVersion(v);
      if (m) return m;
    }
    throw new OwsError('VersionNegotiationFailed', 'acceptVersions', `None of the versions "${accept}" is supported; this server offers ${WFS_VERSIONS.join(', ')}`);
  }
  if (req.version) {
    const m = matchVersion(req.version);
    if (m) return m;
  }
  return WFS_VERSIONS[0];
}

function acceptVersionsFromXml(req: OwsRequest): string | undefined {
  const av = req.xml!.children.find((c) => c.local === 'AcceptVersions');
  if (!av) return undefined;
  return av.children.filter((c) => c.local === 'Version').map((c) => c.text).join(',');
}

/** Version of any other operation: VERSION when given (must be served), 2.0.0 when absent. */
export function operationVersion(req: OwsRequest): WfsVersion {
  if (req.version === undefined || req.version.trim() === '') return '2.0.0';
  const m = matchVersion(req.version);
  if (!m) throw invalidParam('version', `Version "${req.version}" is not supported; use one of ${WFS_VERSIONS.join(', ')}`);
  return m;
}

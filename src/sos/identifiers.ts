/**
 * Identifiers of SOS's own documents besides namespaces (src/xml/namespaces.ts), response formats
 * (formats.ts) and the O&M vocabulary the series encoders write (src/encoders/series/identifiers.ts).
 */
import type { ServiceType } from '../ows/common';
import { NS } from '../xml/namespaces';

/** procedureDescriptionFormat values of DescribeSensor. */
export const SML20_FORMAT = NS.sml20;
export const SML101_FORMAT = NS.sml101;
/** The SOS 1.0 spelling of the SensorML 1.0.1 output format. */
export const SML101_MIME = 'text/xml;subtype="sensorML/1.0.1"';

/** What the SOS ows:ServiceIdentification says besides title and abstract (both versions). */
export function sosServiceType(versions: string[], profiles: readonly string[] = []): ServiceType {
  return { type: 'OGC:SOS', codeSpace: 'http://opengeospatial.net', keywords: ['ocean', 'observations', 'time series', 'SOS'], versions, profiles };
}

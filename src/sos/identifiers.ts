/** Identifiers the SOS documents use besides namespaces (src/xml/namespaces.ts) and response formats (formats.ts). */
import type { ServiceType } from '../ows/common';
import { NS } from '../xml/namespaces';

/** procedureDescriptionFormat values of DescribeSensor. */
export const SML20_FORMAT = NS.sml20;
export const SML101_FORMAT = NS.sml101;
/** The SOS 1.0 spelling of the SensorML 1.0.1 output format. */
export const SML101_MIME = 'text/xml;subtype="sensorML/1.0.1"';

export const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';
export const WML2_TVP_OBSERVATION = 'http://www.opengis.net/def/observationType/waterml/2.0/MeasurementTimeseriesTVPObservation';
export const SAMPLING_POINT = 'http://www.opengis.net/def/samplingFeatureType/OGC-OM/2.0/SF_SamplingPoint';
/** Name of the quality flag parameter attached to each O&M observation. */
export const QC_PARAMETER = 'http://reefgate.org/def/parameter/qualityFlag';
export const NIL_CODESPACE = 'http://www.opengis.net/def/nil/OGC/0/unknown';

/** What the SOS ows:ServiceIdentification says besides title and abstract (both versions). */
export function sosServiceType(versions: string[], profiles: readonly string[] = []): ServiceType {
  return { type: 'OGC:SOS', codeSpace: 'http://opengeospatial.net', keywords: ['ocean', 'observations', 'time series', 'SOS'], versions, profiles };
}

/** Namespaces, schema locations and identifiers used by the SOS documents (one table, by name). */
export const NS = {
  sos: 'http://www.opengis.net/sos/2.0',
  sos10: 'http://www.opengis.net/sos/1.0',
  swes: 'http://www.opengis.net/swes/2.0',
  swe: 'http://www.opengis.net/swe/2.0',
  swe101: 'http://www.opengis.net/swe/1.0.1',
  om: 'http://www.opengis.net/om/2.0',
  om10: 'http://www.opengis.net/om/1.0',
  gml: 'http://www.opengis.net/gml/3.2',
  gml311: 'http://www.opengis.net/gml',
  ows: 'http://www.opengis.net/ows/1.1',
  fes: 'http://www.opengis.net/fes/2.0',
  ogc: 'http://www.opengis.net/ogc',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  sams: 'http://www.opengis.net/samplingSpatial/2.0',
  sf: 'http://www.opengis.net/sampling/2.0',
  sa: 'http://www.opengis.net/sampling/1.0',
  wml2: 'http://www.opengis.net/waterml/2.0',
  sml20: 'http://www.opengis.net/sensorml/2.0',
  sml101: 'http://www.opengis.net/sensorML/1.0.1',
  gda: 'http://www.opengis.net/sosgda/1.0',
} as const;

/** Response formats of GetObservation, by the identifier clients send. */
export const FORMAT = {
  om20: 'http://www.opengis.net/om/2.0',
  wml2: 'http://www.opengis.net/waterml/2.0',
  json: 'application/json',
  csv: 'text/csv',
  om10: 'text/xml;subtype="om/1.0.0"',
} as const;
export type FormatId = keyof typeof FORMAT;

/** procedureDescriptionFormat values of DescribeSensor. */
export const SML20_FORMAT = 'http://www.opengis.net/sensorml/2.0';
export const SML101_FORMAT = 'http://www.opengis.net/sensorML/1.0.1';
/** The SOS 1.0 spelling of the SensorML 1.0.1 output format. */
export const SML101_MIME = 'text/xml;subtype="sensorML/1.0.1"';

export const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';
export const WML2_TVP_OBSERVATION = 'http://www.opengis.net/def/observationType/waterml/2.0/MeasurementTimeseriesTVPObservation';
export const SAMPLING_POINT = 'http://www.opengis.net/def/samplingFeatureType/OGC-OM/2.0/SF_SamplingPoint';
/** Name of the quality flag parameter attached to each O&M observation. */
export const QC_PARAMETER = 'http://reefgate.org/def/parameter/qualityFlag';
export const NIL_CODESPACE = 'http://www.opengis.net/def/nil/OGC/0/unknown';

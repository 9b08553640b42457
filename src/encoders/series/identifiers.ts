/**
 * The O&M 2.0 and WaterML 2.0 vocabulary the series documents write (observation and feature types,
 * the quality-flag parameter, the nil reason): the encoders write it, and the SOS capabilities and
 * GetFeatureOfInterest advertise the same terms. Namespaces are in src/xml/namespaces.ts.
 */

export const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';
export const WML2_TVP_OBSERVATION = 'http://www.opengis.net/def/observationType/waterml/2.0/MeasurementTimeseriesTVPObservation';
export const SAMPLING_POINT = 'http://www.opengis.net/def/samplingFeatureType/OGC-OM/2.0/SF_SamplingPoint';
/** Name of the quality flag parameter attached to each O&M observation. */
export const QC_PARAMETER = 'http://reefgate.org/def/parameter/qualityFlag';
export const NIL_CODESPACE = 'http://www.opengis.net/def/nil/OGC/0/unknown';

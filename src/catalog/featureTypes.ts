import type { Config } from '../config/config';
import { stationsExtent, stationsWithDatasets } from './extents';
import { edrLocationUrl, opendapUrl, sosObservationUrl } from './links';
import type { Catalogue, Extent } from './model';
import { DATASET, JOIN, NETWORK, OBSERVATION, PRODUCER, PROPERTY, SENSOR, STATION } from './schema';
import type { FeatureTypeDef, GeometryDef, PropertyDef } from './types';

/**
 * ReefGate's WFS feature types as data, derived from the catalogue's tables (schema.ts): the
 * collections the feature protocols expose. Property names are a public contract (the portal and
 * saved client queries depend on them); SQL here is ours, never derived from a request.
 */

const point = (sql: string): GeometryDef => ({ name: 'geom', sql, gmlType: 'PointPropertyType', srid: 4326 });

const prop = (name: string, type: PropertyDef['type'], sql: string, nullable: boolean, title: string, extra: Partial<PropertyDef> = {}): PropertyDef => ({
  name,
  type,
  sql,
  nullable,
  title,
  ...extra,
});

function stationType(): FeatureTypeDef {
  return {
    name: 'Station',
    title: 'Monitoring stations',
    abstract: 'Fixed stations of the network with the properties they observe and the span of their records.',
    keywords: ['stations', 'monitoring sites', 'ocean observing network'],
    from: `${STATION.from}
      ${JOIN.network}
      ${JOIN.producer}
      LEFT JOIN LATERAL (
        SELECT count(*)::int AS n_ds, min(dd.time_start) AS t0, max(dd.time_end) AS t1,
               string_agg(DISTINCT pp.label, ',' ORDER BY pp.label) AS labels
        FROM dataset dd JOIN observed_property pp ON pp.id = dd.property_id
        WHERE dd.station_id = s.id) agg ON true`,
    idSql: STATION.code,
    geometry: point(STATION.geom),
    orderKey: [STATION.id],
    carriers: (cat) => cat.stations,
    properties: [
      prop('stationId', 'string', STATION.code, false, 'Station code'),
      prop('name', 'string', STATION.name, false, 'Station name'),
      prop('network', 'string', NETWORK.name, false, 'Network'),
      prop('producer', 'string', PRODUCER.name, true, 'Producer (organisation running the station)'),
      prop('country', 'string', STATION.country, true, 'ISO 3166 alpha-3 country code'),
      prop('depth', 'double', STATION.depth, true, 'Sensor depth below the surface (m)'),
      prop('observedProperties', 'string', 'agg.labels', true, 'Labels of the observed properties, comma-separated'),
      prop('firstObservation', 'dateTime', 'agg.t0', true, 'Time of the first observation'),
      prop('lastObservation', 'dateTime', 'agg.t1', true, 'Time of the last observation'),
      prop('datasetCount', 'int', 'agg.n_ds', false, 'Number of datasets (time series)'),
      prop('observationsUrl', 'anyURI', STATION.code, false, 'SOS GetObservation of all the station\'s observations', {
        queryable: false,
        link: (code, base) => `${base}/sos?service=SOS&version=2.0.0&request=GetObservation&featureOfInterest=${encodeURIComponent(code)}`,
      }),
    ],
  };
}

function datasetType(config: Config): FeatureTypeDef {
  const properties: PropertyDef[] = [
    prop('datasetId', 'string', DATASET.code, false, 'Dataset code (the SOS offering)'),
    prop('stationId', 'string', STATION.code, false, 'Station code'),
    prop('stationName', 'string', STATION.name, false, 'Station name'),
    prop('propertyLabel', 'string', PROPERTY.label, false, 'Observed property'),
    prop('standardName', 'string', PROPERTY.standardName, false, 'CF standard name'),
    prop('uom', 'string', PROPERTY.uom, false, 'Unit of measure (UCUM)'),
    prop('processingLevel', 'string', DATASET.processingLevel, false, 'Processing level'),
    prop('instrumentFamily', 'string', SENSOR.family, false, 'Instrument family'),
    prop('startTime', 'dateTime', `coalesce(${DATASET.timeStart}, ${DATASET.declaredStart})`, true, 'Time of the first observation'),
    prop('endTime', 'dateTime', `coalesce(${DATASET.timeEnd}, ${DATASET.declaredEnd})`, true, 'Time of the last observation'),
    prop('observationCount', 'long', DATASET.obsCount, false, 'Number of observations'),
    prop('sosUrl', 'anyURI', DATASET.code, false, 'SOS GetObservation of this dataset', { queryable: false, link: (code, base) => sosObservationUrl(base, code) }),
    prop('csvUrl', 'anyURI', DATASET.code, false, 'CSV download of this dataset', { queryable: false, link: (code, base) => sosObservationUrl(base, code, 'text/csv') }),
    // The EDR series of this dataset's station and parameter: its key is both codes, as a JSON array.
    prop('edrUrl', 'anyURI', `json_build_array(${STATION.code}, ${PROPERTY.code})::text`, false, 'OGC API – EDR CoverageJSON of this series', {
      queryable: false,
      link: (key, base) => {
        const [station, parameter] = JSON.parse(key) as [string, string];
        return edrLocationUrl(`${base}${config.ogcapiBasePath}`, station, parameter);
      },
    }),
  ];
  if (config.threddsUrl) {
    // Same URL as the THREDDS catalog the exporter writes.
    properties.push(prop('opendapUrl', 'anyURI', DATASET.code, false, 'OPeNDAP access through THREDDS', { queryable: false, link: (code) => opendapUrl(config, code) ?? '' }));
  }
  const template = config.metadataUrlTemplate;
  if (template) {
    properties.push(prop('metadataUrl', 'anyURI', DATASET.code, false, 'Metadata record', { queryable: false, link: (code) => template.replace(/\{id\}/g, encodeURIComponent(code)) }));
  }
  return {
    name: 'Dataset',
    title: 'Datasets (time series)',
    abstract: 'One time series per station, observed property, instrument and processing level, with links to its data.',
    keywords: ['datasets', 'time series', 'sensors', 'observed properties'],
    from: `${DATASET.from}
      ${JOIN.station}
      ${JOIN.property}
      ${JOIN.sensor}`,
    idSql: DATASET.code,
    geometry: point(STATION.geom),
    orderKey: [DATASET.id],
    carriers: (cat) => stationsWithDatasets(cat),
    properties,
  };
}

function observationType(): FeatureTypeDef {
  return {
    name: 'Observation',
    title: 'Observations',
    abstract: 'Single measurements (dataset, time, value, quality flag) at the station position, for temporal analysis.',
    keywords: ['observations', 'measurements', 'quality flags'],
    from: `${OBSERVATION.from}
      ${JOIN.dataset}
      ${JOIN.station}
      ${JOIN.property}`,
    // <datasetCode>.<epoch seconds>: an NCName tail that maps back onto the primary key.
    idSql: `${DATASET.code} || '.' || extract(epoch FROM ${OBSERVATION.time})::bigint`,
    idCondition: (localId, param) => {
      const m = /^(.+)\.(-?\d{1,12})$/.exec(localId);
      if (!m) return null;
      return `${DATASET.code} = ${param(m[1])} AND ${OBSERVATION.time} = to_timestamp(${param(Number(m[2]))}::double precision)`;
    },
    geometry: point(STATION.geom),
    orderKey: [OBSERVATION.datasetId, OBSERVATION.time],
    carriers: (cat) => stationsWithDatasets(cat, true),
    properties: [
      prop('datasetId', 'string', DATASET.code, false, 'Dataset code'),
      prop('property', 'string', PROPERTY.label, false, 'Observed property'),
      prop('time', 'dateTime', OBSERVATION.time, false, 'Time of the measurement'),
      prop('value', 'double', OBSERVATION.value, true, 'Measured value'),
      prop('uom', 'string', PROPERTY.uom, false, 'Unit of measure (UCUM)'),
      prop('qc', 'int', `${OBSERVATION.qc}::int`, false, 'Quality flag (0 = not checked ... 9 = missing)'),
    ],
  };
}

const built = new WeakMap<Config, FeatureTypeDef[]>();

/** The feature types served, in capabilities order: built once per configuration and shared (read-only). */
export function featureTypes(config: Config): FeatureTypeDef[] {
  let types = built.get(config);
  if (!types) {
    types = [stationType(), datasetType(config), observationType()];
    built.set(config, types);
  }
  return types;
}

/** Each type's advertised WGS 84 extent: the box of the stations that carry its features (the world when none do). */
export function typeExtents(types: FeatureTypeDef[], cat: Catalogue): Map<string, Extent> {
  return new Map(types.map((t) => [t.name, stationsExtent(t.carriers?.(cat) ?? cat.stations)]));
}

/** Finds a type by local name (exact, then case-insensitive); undefined when unknown. */
export function findFeatureType(types: FeatureTypeDef[], local: string): FeatureTypeDef | undefined {
  return types.find((t) => t.name === local) ?? types.find((t) => t.name.toLowerCase() === local.toLowerCase());
}


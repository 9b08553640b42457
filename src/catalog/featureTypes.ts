import type { Config } from '../config/config';
import { opendapUrl, sosObservationUrl } from './links';
import type { FeatureTypeDef, GeometryDef, PropertyDef } from './types';

/**
 * ReefGate's WFS feature types as data. Property names are a public contract (the portal and
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
    from: `station s
      JOIN network n ON n.id = s.network_id
      LEFT JOIN organisation org ON org.id = s.producer_id
      LEFT JOIN LATERAL (
        SELECT count(*)::int AS n_ds, min(dd.time_start) AS t0, max(dd.time_end) AS t1,
               string_agg(DISTINCT pp.label, ',' ORDER BY pp.label) AS labels
        FROM dataset dd JOIN observed_property pp ON pp.id = dd.property_id
        WHERE dd.station_id = s.id) agg ON true`,
    idSql: 's.code',
    geometry: point('s.geom'),
    orderKey: ['s.id'],
    properties: [
      prop('stationId', 'string', 's.code', false, 'Station code'),
      prop('name', 'string', 's.name', false, 'Station name'),
      prop('network', 'string', 'n.name', false, 'Network'),
      prop('producer', 'string', 'org.name', true, 'Producer (organisation running the station)'),
      prop('country', 'string', 's.country', true, 'ISO 3166 alpha-3 country code'),
      prop('depth', 'double', 's.depth_m', true, 'Sensor depth below the surface (m)'),
      prop('observedProperties', 'string', 'agg.labels', true, 'Labels of the observed properties, comma-separated'),
      prop('firstObservation', 'dateTime', 'agg.t0', true, 'Time of the first observation'),
      prop('lastObservation', 'dateTime', 'agg.t1', true, 'Time of the last observation'),
      prop('datasetCount', 'int', 'agg.n_ds', false, 'Number of datasets (time series)'),
      prop('observationsUrl', 'anyURI', 's.code', false, 'SOS GetObservation of all the station\'s observations', {
        queryable: false,
        link: (code, base) => `${base}/sos?service=SOS&version=2.0.0&request=GetObservation&featureOfInterest=${encodeURIComponent(code)}`,
      }),
    ],
  };
}

function datasetType(config: Config): FeatureTypeDef {
  const properties: PropertyDef[] = [
    prop('datasetId', 'string', 'd.code', false, 'Dataset code (the SOS offering)'),
    prop('stationId', 'string', 's.code', false, 'Station code'),
    prop('stationName', 'string', 's.name', false, 'Station name'),
    prop('propertyLabel', 'string', 'p.label', false, 'Observed property'),
    prop('standardName', 'string', 'p.standard_name', false, 'CF standard name'),
    prop('uom', 'string', 'p.uom', false, 'Unit of measure (UCUM)'),
    prop('processingLevel', 'string', 'd.processing_level', false, 'Processing level'),
    prop('instrumentFamily', 'string', 'se.family', false, 'Instrument family'),
    prop('startTime', 'dateTime', 'coalesce(d.time_start, d.declared_start)', true, 'Time of the first observation'),
    prop('endTime', 'dateTime', 'coalesce(d.time_end, d.declared_end)', true, 'Time of the last observation'),
    prop('observationCount', 'long', 'd.obs_count', false, 'Number of observations'),
    prop('sosUrl', 'anyURI', 'd.code', false, 'SOS GetObservation of this dataset', { queryable: false, link: (code, base) => sosObservationUrl(base, code) }),
    prop('csvUrl', 'anyURI', 'd.code', false, 'CSV download of this dataset', { queryable: false, link: (code, base) => sosObservationUrl(base, code, 'text/csv') }),
  ];
  if (config.threddsUrl) {
    // Same URL as the THREDDS catalog the exporter writes.
    properties.push(prop('opendapUrl', 'anyURI', 'd.code', false, 'OPeNDAP access through THREDDS', { queryable: false, link: (code) => opendapUrl(config, code) ?? '' }));
  }
  const template = config.metadataUrlTemplate;
  if (template) {
    properties.push(prop('metadataUrl', 'anyURI', 'd.code', false, 'Metadata record', { queryable: false, link: (code) => template.replace(/\{id\}/g, encodeURIComponent(code)) }));
  }
  return {
    name: 'Dataset',
    title: 'Datasets (time series)',
    abstract: 'One time series per station, observed property, instrument and processing level, with links to its data.',
    from: `dataset d
      JOIN station s ON s.id = d.station_id
      JOIN observed_property p ON p.id = d.property_id
      JOIN sensor se ON se.id = d.sensor_id`,
    idSql: 'd.code',
    geometry: point('s.geom'),
    orderKey: ['d.id'],
    properties,
  };
}

function observationType(): FeatureTypeDef {
  return {
    name: 'Observation',
    title: 'Observations',
    abstract: 'Single measurements (dataset, time, value, quality flag) at the station position, for temporal analysis.',
    from: `observation o
      JOIN dataset d ON d.id = o.dataset_id
      JOIN station s ON s.id = d.station_id
      JOIN observed_property p ON p.id = d.property_id`,
    // <datasetCode>.<epoch seconds>: an NCName tail that maps back onto the primary key.
    idSql: `d.code || '.' || extract(epoch FROM o.time)::bigint`,
    idCondition: (localId, param) => {
      const m = /^(.+)\.(-?\d{1,12})$/.exec(localId);
      if (!m) return null;
      return `d.code = ${param(m[1])} AND o.time = to_timestamp(${param(Number(m[2]))}::double precision)`;
    },
    geometry: point('s.geom'),
    orderKey: ['o.dataset_id', 'o.time'],
    properties: [
      prop('datasetId', 'string', 'd.code', false, 'Dataset code'),
      prop('property', 'string', 'p.label', false, 'Observed property'),
      prop('time', 'dateTime', 'o.time', false, 'Time of the measurement'),
      prop('value', 'double', 'o.value', true, 'Measured value'),
      prop('uom', 'string', 'p.uom', false, 'Unit of measure (UCUM)'),
      prop('qc', 'int', 'o.qc::int', false, 'Quality flag (0 = not checked ... 9 = missing)'),
    ],
  };
}

/** The feature types served, in capabilities order. */
export function featureTypes(config: Config): FeatureTypeDef[] {
  return [stationType(), datasetType(config), observationType()];
}

/** Finds a type by local name (exact, then case-insensitive); undefined when unknown. */
export function findFeatureType(types: FeatureTypeDef[], local: string): FeatureTypeDef | undefined {
  return types.find((t) => t.name === local) ?? types.find((t) => t.name.toLowerCase() === local.toLowerCase());
}

/** Looks up a property or the geometry of a type by local name; undefined when unknown. */
export function findProperty(type: FeatureTypeDef, name: string): PropertyDef | GeometryDef | undefined {
  if (name === type.geometry.name) return type.geometry;
  return type.properties.find((p) => p.name === name);
}

/** True for the geometry member of a type. */
export function isGeometry(p: PropertyDef | GeometryDef): p is GeometryDef {
  return 'gmlType' in p;
}

/**
 * The relational layout the service reads, as data: each table with the alias every statement gives
 * it, the SQL of its columns, and the joins between the tables. The statements of src/query and the
 * feature types of featureTypes.ts are composed from these strings (our own text); none comes from a
 * request. The observation row expressions of the series encoders (encoders/series/sqlText.ts) read OBSERVATION too.
 */

export const NETWORK = { from: 'network n', id: 'n.id', code: 'n.code', name: 'n.name' } as const;

export const PRODUCER = { name: 'org.name' } as const;

export const STATION = {
  from: 'station s',
  id: 's.id',
  code: 's.code',
  name: 's.name',
  geom: 's.geom',
  depth: 's.depth_m',
  country: 's.country',
  networkId: 's.network_id',
} as const;

export const PROPERTY = {
  from: 'observed_property p',
  id: 'p.id',
  code: 'p.code',
  standardName: 'p.standard_name',
  vocabularyUri: 'p.vocabulary_uri',
  label: 'p.label',
  uom: 'p.uom',
} as const;

export const SENSOR = { from: 'sensor se', id: 'se.id', code: 'se.code', family: 'se.family', stationId: 'se.station_id' } as const;

export const DATASET = {
  from: 'dataset d',
  id: 'd.id',
  code: 'd.code',
  stationId: 'd.station_id',
  propertyId: 'd.property_id',
  sensorId: 'd.sensor_id',
  processingLevel: 'd.processing_level',
  declaredStart: 'd.declared_start',
  declaredEnd: 'd.declared_end',
  timeStart: 'd.time_start',
  timeEnd: 'd.time_end',
  obsCount: 'd.obs_count',
  updatedAt: 'd.updated_at',
} as const;

/** The big table; its primary key (dataset_id, time) is the access path of every series read. */
export const OBSERVATION = { table: 'observation', alias: 'o', from: 'observation o', datasetId: 'o.dataset_id', time: 'o.time', value: 'o.value', qc: 'o.qc' } as const;

/** Import runs: the latest one that changed data is the SOS updateSequence. */
export const IMPORT_RUN = { from: 'import_run', finishedAt: 'finished_at', changed: 'changed' } as const;

/** Joins from one alias to the next (station → network/producer, dataset → station/property/sensor, observation → dataset). */
export const JOIN = {
  network: 'JOIN network n ON n.id = s.network_id',
  producer: 'LEFT JOIN organisation org ON org.id = s.producer_id',
  station: 'JOIN station s ON s.id = d.station_id',
  property: 'JOIN observed_property p ON p.id = d.property_id',
  sensor: 'JOIN sensor se ON se.id = d.sensor_id',
  dataset: 'JOIN dataset d ON d.id = o.dataset_id',
} as const;

/**
 * What the service publishes, as data: networks, stations, observed properties, sensors and datasets,
 * linked to each other by reference. Every protocol reads these same objects: the WFS feature types and
 * their extents, the SOS offerings (offerings.ts), the ISO 19139 records, the NetCDF export and its
 * THREDDS catalog, and the portal (through the WFS). Loaded by catalogue.ts through src/query.
 */

/** An observing network (the stations' owner in the documents). */
export interface Network {
  id: number;
  code: string;
  name: string;
}

/** A fixed station: the SOS feature of interest, the WFS Station feature. */
export interface Station {
  id: number;
  code: string;
  name: string;
  /** WGS 84 position (EPSG:4326, x = lon). */
  lon: number;
  lat: number;
  /** Sensor depth below the surface in metres; null when unknown. */
  depthM: number | null;
  /** ISO 3166 alpha-3 code. */
  country: string | null;
  network: Network;
  /** Name of the organisation running the station. */
  producer: string | null;
}

/** What is measured: a CF standard name, its vocabulary URI (the SOS observedProperty) and its UCUM unit. */
export interface ObservedProperty {
  id: number;
  code: string;
  /** CF standard name. */
  standardName: string;
  /** Vocabulary URI (e.g. the NERC P07 concept). */
  vocabularyUri: string;
  label: string;
  /** UCUM code. */
  uom: string;
}

/** One instrument family at one station: the SOS procedure. */
export interface Sensor {
  id: number;
  code: string;
  family: string;
  station: Station;
}

/** One time series: station x property x sensor x processing level (the SOS offering, the WFS Dataset feature). */
export interface Dataset {
  id: number;
  code: string;
  station: Station;
  property: ObservedProperty;
  sensor: Sensor;
  processingLevel: string;
  /** ISO 8601 UTC instants (to the second) of the first and last observation, null for a dataset without data. */
  timeStart: string | null;
  timeEnd: string | null;
  obsCount: number;
  /** ISO 8601 UTC instant of the last change. */
  updatedAt: string;
}

/** Everything published, each list in code order (networks by code, datasets by code...). */
export interface Catalogue {
  networks: Network[];
  stations: Station[];
  properties: ObservedProperty[];
  sensors: Sensor[];
  datasets: Dataset[];
  /** Datasets by code (the SOS offering identifier, the metadata record name). */
  datasetByCode: Map<string, Dataset>;
}

/** WGS 84 lon/lat box [west, south, east, north]. */
export type Extent = [number, number, number, number];

import type { Catalogue, Dataset } from './model';

/**
 * One SOS offering = one catalogue dataset, flattened into the terms the SOS documents use
 * (procedure = sensor, featureOfInterest = station, observedProperty = vocabulary URI).
 */
export interface Offering {
  id: number;
  /** Offering identifier (dataset code). */
  code: string;
  /** Procedure identifier (sensor code). */
  procedure: string;
  family: string;
  /** Feature of interest identifier (station code). */
  station: string;
  stationName: string;
  lon: number;
  lat: number;
  depth: number | null;
  country: string | null;
  /** Network code. */
  network: string;
  producer: string | null;
  propertyCode: string;
  standardName: string;
  /** observedProperty identifier (vocabulary URI). */
  propertyUri: string;
  label: string;
  uom: string;
  processingLevel: string;
  /** First and last observation times (ISO UTC), null for a dataset without data. */
  timeStart: string | null;
  timeEnd: string | null;
  obsCount: number;
}

/** The SOS view of one dataset. */
export function offeringOf(d: Dataset): Offering {
  const s = d.station;
  return {
    id: d.id,
    code: d.code,
    procedure: d.sensor.code,
    family: d.sensor.family,
    station: s.code,
    stationName: s.name,
    lon: s.lon,
    lat: s.lat,
    depth: s.depthM,
    country: s.country,
    network: s.network.code,
    producer: s.producer,
    propertyCode: d.property.code,
    standardName: d.property.standardName,
    propertyUri: d.property.vocabularyUri,
    label: d.property.label,
    uom: d.property.uom,
    processingLevel: d.processingLevel,
    timeStart: d.timeStart,
    timeEnd: d.timeEnd,
    obsCount: d.obsCount,
  };
}

const views = new WeakMap<Catalogue, Offering[]>();

/** Every offering of a catalogue (dataset code order); the same array for the same catalogue, so per-list caches hold. */
export function offerings(cat: Catalogue): Offering[] {
  let list = views.get(cat);
  if (!list) {
    list = cat.datasets.map(offeringOf);
    views.set(cat, list);
  }
  return list;
}

/** Distinct values of one offering field, in first-seen order. */
export function distinct<K extends keyof Offering>(list: Offering[], key: K): Offering[K][] {
  return [...new Set(list.map((o) => o[key]))];
}

/**
 * The OGC API – Features collections as data: each is one WFS feature type of the catalogue under a
 * stable lower-case id, with the properties `datetime` applies to. Nothing else is published here;
 * a new feature type in src/catalog/featureTypes.ts becomes a collection by one row below. A row
 * marked `edr` is also an OGC API – EDR collection: its items are its features, and the EDR queries
 * (src/ogcapi/edr) read the series of the same catalogue.
 */
import type { Config } from '../config/config';
import { featureTypes } from '../catalog/featureTypes';
import { EDR_COLLECTION_ID } from '../catalog/links';
import type { FeatureTypeDef } from '../catalog/types';

/** Which property (or pair of properties) `datetime` filters on. */
export type TimeProperty = { kind: 'instant'; property: string } | { kind: 'interval'; start: string; end: string };

export interface CollectionDef {
  /** Path segment and `id` (stable: clients save it). */
  id: string;
  /** The catalogue feature type it publishes. */
  typeName: string;
  time: TimeProperty;
  /** Title and description when not the feature type's own. */
  title?: string;
  description?: string;
  /** True for an OGC API – EDR collection (data queries, parameter_names). */
  edr?: boolean;
}

/** The collections, in landing order. */
export const COLLECTIONS: readonly CollectionDef[] = [
  { id: 'stations', typeName: 'Station', time: { kind: 'interval', start: 'firstObservation', end: 'lastObservation' } },
  { id: 'datasets', typeName: 'Dataset', time: { kind: 'interval', start: 'startTime', end: 'endTime' } },
  { id: 'observations', typeName: 'Observation', time: { kind: 'instant', property: 'time' } },
  {
    id: EDR_COLLECTION_ID,
    typeName: 'Dataset',
    time: { kind: 'interval', start: 'startTime', end: 'endTime' },
    title: 'In-situ station time series (OGC API – EDR)',
    description:
      'Every station series of the network for Environmental Data Retrieval: position, radius, area, cube and locations queries answer CoverageJSON, GeoJSON or CSV; its items are the datasets.',
    edr: true,
  },
];

/** Ids of the EDR collections. */
export const EDR_COLLECTIONS: readonly string[] = COLLECTIONS.filter((c) => c.edr).map((c) => c.id);

/** A collection with its feature type resolved for one configuration. */
export interface Collection extends CollectionDef {
  type: FeatureTypeDef;
}

const built = new WeakMap<Config, Collection[]>();

/** The collections of a configuration (their feature types come from featureTypes(config)), built once and shared. */
export function collections(config: Config): Collection[] {
  let list = built.get(config);
  if (list) return list;
  const types = featureTypes(config);
  list = COLLECTIONS.map((c) => {
    const type = types.find((t) => t.name === c.typeName);
    if (!type) throw new Error(`Collection ${c.id}: no feature type ${c.typeName}`);
    return { ...c, type };
  });
  built.set(config, list);
  return list;
}

/** The collection with this id (exact: ids are case-sensitive path segments), or undefined. */
export function findCollection(config: Config, id: string): Collection | undefined {
  return collections(config).find((c) => c.id === id);
}

/**
 * Loading the catalogue (src/catalog/model.ts) from the database: the entity statements of stations.ts
 * and datasets.ts, linked by reference and reused for a short while by every request.
 */
import { sharedStore } from '../data/requestStore';
import type { Queryable } from '../data/store';
import { readDatasets, readProperties, readSensors } from './datasets';
import { readNetworks, readStations } from './stations';
import type { Catalogue, Dataset, Network, ObservedProperty, Sensor, Station } from '../catalog/model';
import { offerings, Offering } from '../catalog/offerings';

/** How long a loaded catalogue is reused: it changes only on import, and most requests read it. */
const TTL_MS = 2000;
const cache = new WeakMap<Queryable, { at: number; catalogue: Promise<Catalogue> }>();

/**
 * The catalogue of one store, reused for TTL_MS. Loaded outside any one request (on the shared store):
 * the requests that wait on it must not see it cancelled because the one that started loading it went away.
 */
export function loadCatalogue(db: Queryable): Promise<Catalogue> {
  const shared = sharedStore(db);
  const hit = cache.get(shared);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.catalogue;
  const catalogue = readCatalogue(shared);
  cache.set(shared, { at: Date.now(), catalogue });
  catalogue.catch(() => cache.delete(shared));
  return catalogue;
}

/** Drops the cached catalogue of a store (after an import in this process changed it). */
export function forgetCatalogue(db: Queryable): void {
  cache.delete(sharedStore(db));
}

/**
 * Reads every entity (one small statement each, through src/query) and links them by reference. The
 * statements run side by side outside a transaction, so one may see an import that another did not: a
 * row whose referent was not read is left out until the next load (as if read just before that import).
 */
export async function readCatalogue(db: Queryable): Promise<Catalogue> {
  const [networkRows, stationRows, propertyRows, sensorRows, datasetRows] = await Promise.all([readNetworks(db), readStations(db), readProperties(db), readSensors(db), readDatasets(db)]);
  const networks: Network[] = networkRows.map((r) => ({ id: r.id, code: r.code, name: r.name }));
  const networkById = byId(networks);
  const stations: Station[] = stationRows.flatMap((r) => {
    const network = networkById.get(r.network_id);
    return network ? [{ id: r.id, code: r.code, name: r.name, lon: r.lon, lat: r.lat, depthM: r.depth_m, country: r.country, network, producer: r.producer }] : [];
  });
  const stationById = byId(stations);
  const properties: ObservedProperty[] = propertyRows.map((r) => ({ id: r.id, code: r.code, standardName: r.standard_name, vocabularyUri: r.vocabulary_uri, label: r.label, uom: r.uom }));
  const propertyById = byId(properties);
  const sensors: Sensor[] = sensorRows.flatMap((r) => {
    const station = stationById.get(r.station_id);
    return station ? [{ id: r.id, code: r.code, family: r.family, station }] : [];
  });
  const sensorById = byId(sensors);
  const datasets: Dataset[] = datasetRows.flatMap((r) => {
    const [station, property, sensor] = [stationById.get(r.station_id), propertyById.get(r.property_id), sensorById.get(r.sensor_id)];
    if (!station || !property || !sensor) return [];
    const { processing_level: processingLevel, time_start: timeStart, time_end: timeEnd, obs_count: obsCount, updated_at: updatedAt } = r;
    return [{ id: r.id, code: r.code, station, property, sensor, processingLevel, timeStart, timeEnd, obsCount, updatedAt }];
  });
  return { networks, stations, properties, sensors, datasets, datasetByCode: new Map(datasets.map((d) => [d.code, d])) };
}

function byId<T extends { id: number }>(items: T[]): Map<number, T> {
  return new Map(items.map((x) => [x.id, x]));
}

/** Every SOS offering of the store's current catalogue. */
export async function loadOfferings(db: Queryable): Promise<Offering[]> {
  return offerings(await loadCatalogue(db));
}

/** Facts derived from catalogue objects (no database): the extents every protocol advertises. */
import type { Catalogue, Dataset, Extent, Station } from './model';

/**
 * The plain min/max box of some stations (the network spans the antimeridian: e.g. -176.2 .. 179.3,
 * which GDAL and QGIS read correctly, rather than a west > east box several clients reject); the
 * whole world when there are none.
 */
export function stationsExtent(stations: Station[]): Extent {
  if (stations.length === 0) return [-180, -90, 180, 90];
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const st of stations) {
    w = Math.min(w, st.lon);
    e = Math.max(e, st.lon);
    s = Math.min(s, st.lat);
    n = Math.max(n, st.lat);
  }
  return [w, s, e, n];
}

/** First start and last end among some datasets (ISO UTC; the same fixed-width text, so they compare as strings). */
export function timeSpan(datasets: Dataset[]): { start: string | null; end: string | null } {
  let start: string | null = null;
  let end: string | null = null;
  for (const d of datasets) {
    if (d.timeStart !== null && (start === null || d.timeStart < start)) start = d.timeStart;
    if (d.timeEnd !== null && (end === null || d.timeEnd > end)) end = d.timeEnd;
  }
  return { start, end };
}

/** Stations that have at least one dataset (with observations, when `withData`). */
export function stationsWithDatasets(cat: Catalogue, withData = false): Station[] {
  const ids = new Set(cat.datasets.filter((d) => !withData || d.obsCount > 0).map((d) => d.station.id));
  return cat.stations.filter((s) => ids.has(s.id));
}

/**
 * The EDR resources: the data queries (position, radius, area, cube, locations/{id}) stream the
 * selected series through the SOS series path (writeSeriesDocument: streamSeries, one encoder row of
 * formats.ts, the chunk writer), after a probe that drops series without rows in the window: none left is 204 (EDR 1.1
 * /req/edr/query_type/no-data), more rows than EDR_MAX_OBSERVATIONS is 413. /locations lists the
 * stations as GeoJSON from the catalogue.
 */
import { stationsWithDatasets } from '../../catalog/extents';
import type { Dataset } from '../../catalog/model';
import { OwsError } from '../../ows/errors';
import type { OwsResponse } from '../../ows/types';
import { loadCatalogue } from '../../query/catalogue';
import { dbCall } from '../../query/featurePages';
import type { ChunkWriter } from '../../encoders/chunkWriter';
import { DocumentSeriesEncoder, writeSeriesDocument } from '../../encoders/series/document';
import { contentDisposition, seriesFileName } from '../../http/downloadName';
import { countObservations, SeriesSelection, seriesWithRows } from '../../query/observations';
import { stationCodesMatching } from '../../query/stations';
import { Collection, EDR_COLLECTIONS, findCollection } from '../collections';
import type { ApiContext } from '../context';
import { parseDatetime } from '../datetime';
import { FORMATS, negotiate } from '../formats';
import { Link, seg, selfAndAlternates } from '../links';
import { routeDef } from '../routes';
import { edrCrs } from './crs';
import { EdrAnswer, EDR_FORMATS, edrFormat } from './formats';
import { parseParameterNames } from './parameters';
import { readEdrRequest } from './query';
import type { EdrRouteId } from './routes';
import { bboxFilter } from './spatial';

export type EdrResource = (ctx: ApiContext, collection: Collection | undefined) => Promise<OwsResponse>;

/** The collection, when it is an EDR collection; 404 otherwise. */
function edrCollection(c: Collection | undefined): Collection {
  if (!c?.edr) throw new OwsError('NotFound', 'collectionId', `Collection "${(c?.id ?? '').slice(0, 100)}" has no EDR queries; EDR collections: ${EDR_COLLECTIONS.join(', ')}`, { status: 404 });
  return c;
}

/** The URL of the resource asked for (its path template filled with the request's path parameters). */
function resourceUrl(route: EdrRouteId, ctx: ApiContext): string {
  return ctx.root + routeDef(ctx.config, route).path.replace(/\{(\w+)\}/g, (_m, n: string) => seg(ctx.path[n] ?? ''));
}

const FORMATS_WITH_DOWNSAMPLE = EDR_FORMATS.filter((f) => f.downsample).map((f) => f.id);

/** A data query: its series streamed in the negotiated format. */
async function dataQuery(route: EdrRouteId, ctx: ApiContext, collection: Collection | undefined): Promise<OwsResponse> {
  const c = edrCollection(collection);
  const cat = await loadCatalogue(ctx.store);
  const req = await dbCall(() => readEdrRequest(route, ctx, cat, FORMATS_WITH_DOWNSAMPLE));
  const withRows = await seriesWithRows(ctx.store, req.selection);
  const selection = { ...req.selection, offerings: req.selection.offerings.filter((o) => withRows.has(o.id)) };
  const headers = { 'Content-Crs': `<${req.crs.name}>`, Vary: 'Accept' };
  if (selection.offerings.length === 0) return { kind: 'body', status: 204, contentType: req.format.contentType, headers, body: '' };
  const max = ctx.config.edrMaxObservations;
  // A downsampled answer is a few points per series whatever the window.
  if (max > 0 && req.downsample === undefined) {
    const n = await countObservations(ctx.store, selection, max);
    if (n > max) {
      throw new OwsError(
        'ResponseExceedsSizeLimit',
        'request',
        `The query selects more than ${max} observations (EDR_MAX_OBSERVATIONS) in ${selection.offerings.length} series; narrow datetime, parameter-name or the geometry, or add downsample=N`,
        { status: 413 },
      );
    }
  }
  const links: Link[] = [
    ...selfAndAlternates(resourceUrl(route, ctx), ctx.query.entries, routeDef(ctx.config, route).formats, req.format.id, 'This document'),
    { href: `${ctx.root}/collections/${seg(c.id)}`, rel: 'collection', type: FORMATS.json.mediaType, title: c.title ?? c.type.title },
  ];
  const answer: EdrAnswer = {
    series: selection.offerings,
    crs: { uri: req.crs.name, latFirst: req.crs.latFirst },
    links,
    downsample: req.downsample,
    metricLabels: { service: 'OGCAPI', operation: route },
  };
  const format = edrFormat(req.format.id);
  return streamed(ctx, selection, req.format.contentType, (w) => format.encoder(w, answer), headers);
}

/**
 * The selection streamed through one encoder (begin, series, end) by the SOS series path, with the file
 * name SOS data answers carry (`<dataset or station>_<period>.<ext>`, inline).
 */
function streamed(ctx: ApiContext, sel: SeriesSelection, contentType: string, make: (w: ChunkWriter) => DocumentSeriesEncoder, headers: Record<string, string>): OwsResponse {
  return {
    kind: 'stream',
    contentType,
    headers: { 'Content-Disposition': contentDisposition(seriesFileName(sel, contentType)), ...headers },
    produce: (sink) => writeSeriesDocument(ctx.store, sel, make, sink),
  };
}

/** First to last observation of some datasets, as an ISO interval (`start/end`), or undefined when none has data. */
function span(ds: Dataset[]): { start: string; end: string } | undefined {
  const withData = ds.filter((d) => d.timeStart !== null && d.timeEnd !== null);
  if (withData.length === 0) return undefined;
  return { start: withData.map((d) => d.timeStart!).sort()[0], end: withData.map((d) => d.timeEnd!).sort().reverse()[0] };
}

/** GET /collections/{id}/locations: the stations with series, as GeoJSON features whose id is the station code. */
async function locations(ctx: ApiContext, collection: Collection | undefined): Promise<OwsResponse> {
  const c = edrCollection(collection);
  const q = ctx.query;
  const format = negotiate(routeDef(ctx.config, 'edrLocations').formats, q.get('f'), ctx.accept);
  const cat = await loadCatalogue(ctx.store);
  const crs = edrCrs(q.get('crs'));
  const parameters = parseParameterNames(q.get('parameter-name'), cat);
  const range = q.get('datetime') === undefined ? undefined : parseDatetime(q.get('datetime')!);
  let stations = stationsWithDatasets(cat);
  if (q.get('bbox') !== undefined) {
    const codes = await dbCall(() => stationCodesMatching(ctx.store, findCollection(ctx.config, 'stations')!.type, bboxFilter(q.get('bbox'), crs)));
    stations = stations.filter((s) => codes.has(s.code));
  }
  const url = `${ctx.root}/collections/${seg(c.id)}/locations`;
  const features = stations.flatMap((s) => {
    const ds = cat.datasets.filter((d) => d.station.id === s.id);
    const codes = [...new Set(ds.map((d) => d.property.code))].sort();
    if (parameters && !codes.some((p) => parameters.has(p))) return [];
    const t = span(ds);
    if (range && (!t || (range.start !== undefined && Date.parse(t.end) < range.start) || (range.end !== undefined && (range.endExclusive ? Date.parse(t.start) >= range.end : Date.parse(t.start) > range.end)))) return [];
    return [
      {
        type: 'Feature',
        id: s.code,
        geometry: { type: 'Point', coordinates: crs.latFirst ? [s.lat, s.lon] : [s.lon, s.lat] },
        properties: {
          label: s.name,
          datetime: t ? `${t.start}/${t.end}` : '',
          'parameter-name': codes,
          edrqueryendpoint: `${url}/${seg(s.code)}`,
          network: s.network.name,
          producer: s.producer,
          country: s.country,
          depth: s.depthM,
          datasets: ds.map((d) => d.code),
        },
      },
    ];
  });
  const doc = {
    type: 'FeatureCollection',
    timeStamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    numberMatched: features.length,
    numberReturned: features.length,
    features,
    links: [
      ...selfAndAlternates(url, q.entries, routeDef(ctx.config, 'edrLocations').formats, format.id, 'These locations'),
      { href: `${ctx.root}/collections/${seg(c.id)}`, rel: 'collection', type: FORMATS.json.mediaType, title: c.title ?? c.type.title },
    ],
  };
  return { kind: 'body', contentType: format.contentType, headers: { 'Content-Crs': `<${crs.name}>`, Vary: 'Accept' }, body: JSON.stringify(doc) };
}

/** What answers each EDR route. */
export function edrResources(): Record<EdrRouteId, EdrResource> {
  const data = (route: EdrRouteId): EdrResource => (ctx, c) => dataQuery(route, ctx, c);
  return {
    edrPosition: data('edrPosition'),
    edrRadius: data('edrRadius'),
    edrArea: data('edrArea'),
    edrCube: data('edrCube'),
    edrLocation: data('edrLocation'),
    edrLocations: locations,
  };
}

/**
 * An items request read into the shared FeatureQuery (src/query/features.ts): bbox, datetime,
 * property equalities and filter become FES filters, sortby sort keys, limit/offset the page, crs the
 * output CRS. Names are checked against the catalogue's feature type before any SQL is built.
 */
import type { Config } from '../config/config';
import type { PropertyDef } from '../catalog/types';
import type { CrsRef } from '../crs/crs';
import type { Filter } from '../fes/ast';
import { parseBboxKvp } from '../fes/kvp';
import { invalidParam } from '../ows/errors';
import type { FeatureQuery, SortKey } from '../query/features';
import type { Collection } from './collections';
import { DEFAULT_CRS, parseCrsParam } from './crs';
import { datetimeFilters, parseDatetime } from './datetime';
import { filterLang, parseFilterParam } from './filterParam';
import { queryableParameters, queryableProperties } from './queryables';
import type { QueryParams } from './request';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `limit`: a whole number ≥ 1; above the maximum it is the maximum (OGC API – Features Part 1 asks for no error). */
function limitOf(value: string | undefined, config: Config): number {
  if (value === undefined) return config.ogcapiLimitDefault;
  const v = value.trim();
  if (!/^\+?\d{1,15}$/.test(v) || Number(v) < 1) throw invalidParam('limit', `limit must be a whole number from 1, got "${value.slice(0, 40)}"`);
  return Math.min(Number(v), config.ogcapiLimitMax);
}

/** `offset`: a whole number ≥ 0. */
function offsetOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const v = value.trim();
  if (!/^\+?\d{1,15}$/.test(v)) throw invalidParam('offset', `offset must be a non-negative whole number, got "${value.slice(0, 40)}"`);
  return Number(v);
}

/** `crs` of the response (default CRS84). */
export function responseCrs(q: QueryParams): CrsRef {
  const v = q.get('crs');
  return v === undefined ? DEFAULT_CRS : parseCrsParam(v, 'crs');
}

/** `bbox` (4 numbers, or 6 with heights which are dropped) in `bbox-crs` → a BBOX filter on the geometry. */
function bboxFilter(value: string, crsValue: string | undefined): Filter {
  const crs = crsValue === undefined ? DEFAULT_CRS : parseCrsParam(crsValue, 'bbox-crs');
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 4 && parts.length !== 6) throw invalidParam('bbox', 'bbox must be 4 numbers (minx,miny,maxx,maxy) or 6 (with minz and maxz)');
  for (const p of parts) if (!NUMBER.test(p) || !Number.isFinite(Number(p))) throw invalidParam('bbox', `bbox value "${p.slice(0, 40)}" is not a number`);
  const xy = parts.length === 6 ? [parts[0], parts[1], parts[3], parts[4]] : parts;
  return parseBboxKvp(xy.join(','), crs, 'bbox');
}

/** `sortby=+a,-b` (a leading `+` arrives as a space when not percent-encoded). */
function sortKeys(value: string | undefined, queryables: PropertyDef[]): SortKey[] {
  if (value === undefined) return [];
  const keys = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (keys.length === 0) throw invalidParam('sortby', 'sortby is empty');
  return keys.map((k) => {
    const m = /^([+-]?)(.+)$/.exec(k)!;
    const prop = queryables.find((p) => p.name === m[2].trim());
    if (!prop) throw invalidParam('sortby', `Cannot sort by "${m[2].slice(0, 80)}"; sortable: ${queryables.map((p) => p.name).join(', ')}`);
    return { prop, desc: m[1] === '-' };
  });
}

/** `properties=a,b`: the properties returned, catalogue order; unknown names → 400. */
function selectedProperties(value: string | undefined, all: PropertyDef[]): PropertyDef[] {
  if (value === undefined) return all;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!all.some((p) => p.name === n)) throw invalidParam('properties', `Unknown property "${n.slice(0, 80)}"; properties: ${all.map((p) => p.name).join(', ')}`);
  return all.filter((p) => names.includes(p.name));
}

function booleanOf(value: string | undefined, name: string): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidParam(name, `${name} must be true or false, got "${value.slice(0, 40)}"`);
}

/** Names of the collection's queryables, each also an equality parameter of its items (the parameters the OpenAPI document lists). */
export function propertyParameterNames(collection: Collection): string[] {
  return queryableParameters(collection).map((p) => p.name);
}

/** Reads an items request (parameters already checked against the route) into one FeatureQuery. */
export function itemsQuery(q: QueryParams, collection: Collection, config: Config): FeatureQuery {
  const type = collection.type;
  const queryables = queryableProperties(type);
  const filters: Filter[] = [];
  const bbox = q.get('bbox');
  if (bbox !== undefined) filters.push(bboxFilter(bbox, q.get('bbox-crs')));
  else if (q.get('bbox-crs') !== undefined) parseCrsParam(q.get('bbox-crs')!, 'bbox-crs');
  const datetime = q.get('datetime');
  if (datetime !== undefined) filters.push(...datetimeFilters(parseDatetime(datetime), collection.time));
  for (const p of queryables) {
    const v = q.get(p.name);
    if (v !== undefined) filters.push({ op: 'PropertyIsEqualTo', left: { kind: 'ref', path: p.name }, right: { kind: 'literal', value: v }, matchCase: true, matchAction: 'Any' });
  }
  const filter = q.get('filter');
  const lang = filterLang(q.get('filter-lang'));
  const filterCrs = q.get('filter-crs') === undefined ? DEFAULT_CRS : parseCrsParam(q.get('filter-crs')!, 'filter-crs');
  if (filter !== undefined) filters.push(parseFilterParam({ text: filter, lang, crs: filterCrs }, collection));
  return {
    type,
    filters,
    sortBy: sortKeys(q.get('sortby'), queryables),
    properties: selectedProperties(q.get('properties'), type.properties),
    includeGeometry: !booleanOf(q.get('skipGeometry'), 'skipGeometry'),
    crs: responseCrs(q),
    startIndex: offsetOf(q.get('offset')),
    count: limitOf(q.get('limit'), config),
  };
}

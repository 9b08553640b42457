import type { Config } from '../config/config';
import { featureTypes } from '../catalog/featureTypes';
import type { FeatureTypeDef, PropertyDef } from '../catalog/types';
import type { FeatureEncoder } from '../encoders/features/featureEncoder';
import type { Filter } from '../fes/ast';
import { parseBboxKvp, parseFilterKvp, parseResourceIdKvp } from '../fes/kvp';
import { parseFilterXml } from '../fes/parseFes20';
import { parseFilter110 } from '../fes/parseFilter110';
import { commaList } from '../http/kvp';
import { child, childrenNamed, XmlElement } from '../http/xml';
import { invalidParam, missingParam, OwsError } from '../ows/errors';
import { NS } from '../xml/namespaces';
import type { OwsRequest } from '../ows/types';
import type { FeatureQuery, SortKey } from '../query/features';
import { encoderFor } from './formats';
import { defaultCrs, parseSrsName } from './srsName';
import { isGetFeatureById } from './storedQueryDefs';
import { NamespaceMap, parseNamespaces, resolveTypeName, splitTypeNames } from './typeNames';
import { operationVersion, WfsVersion } from './version';

/**
 * A parsed GetFeature (or GetPropertyValue): one validated query plus response options. `adhoc` is a
 * wfs:Query (or its KVP form); `byId` is the GetFeatureById stored query, answered with the bare feature.
 */
export interface GetFeatureRequest {
  kind: 'adhoc' | 'byId';
  version: WfsVersion;
  query: FeatureQuery;
  resultType: 'results' | 'hits';
  encoder: FeatureEncoder;
}

/** What the operation accepts: GetPropertyValue runs no stored query. */
export interface ParseOptions {
  storedQueries: boolean;
}

/** A stored query call as sent (parameters by lower-cased name). */
interface StoredCall {
  id: string;
  params: Map<string, string>;
}

/**
 * Resolves a stored query call into its query (GetFeatureById is the only one offered): a missing ID is
 * MissingParameterValue, an id naming no type is 404 NotFound (as is an unknown feature, found out later).
 */
function storedQuery(call: StoredCall, version: WfsVersion, encoder: FeatureEncoder, config: Config, opts: ParseOptions): GetFeatureRequest {
  if (!opts.storedQueries) throw new OwsError('OperationNotSupported', 'storedQuery_id', 'GetPropertyValue does not run stored queries');
  if (!isGetFeatureById(call.id)) throw invalidParam('storedQuery_id', `Unknown stored query "${call.id.slice(0, 120)}"`);
  const id = call.params.get('id');
  if (id === undefined || id.trim() === '') throw missingParam('id', 'GetFeatureById needs the parameter ID');
  const dot = id.indexOf('.');
  const type = dot > 0 ? featureTypes(config).find((t) => t.name === id.slice(0, dot)) : undefined;
  if (!type) throw featureNotFound(id);
  const srs = call.params.get('srsname');
  const crs = srs !== undefined && srs.trim() !== '' ? parseSrsName(srs) : defaultCrs(version);
  const { properties, includeGeometry } = selectProperties(type, undefined);
  const query: FeatureQuery = { type, filters: [], resourceIds: [id.slice(dot + 1)], sortBy: [], properties, includeGeometry, crs, startIndex: 0, count: 1 };
  return { kind: 'byId', version, query, resultType: 'results', encoder };
}

/** GetFeatureById of an id that names no feature: 404 NotFound. */
export function featureNotFound(id: string): OwsError {
  return new OwsError('NotFound', 'id', `No feature with id "${id.slice(0, 120)}"`, { status: 404 });
}

const MAX_INT = 2_147_483_647;

/** A non-negative whole number parameter; anything else → InvalidParameterValue with that locator. */
function nonNegativeInt(value: string | undefined, locator: string): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\+?\d{1,10}$/.test(v) || Number(v) > MAX_INT) throw invalidParam(locator, `${locator} must be a non-negative whole number, got "${value.slice(0, 40)}"`);
  return Number(v);
}

function resultTypeOf(v: string | undefined): 'results' | 'hits' {
  if (v === undefined || v.trim() === '') return 'results';
  const t = v.trim().toLowerCase();
  if (t === 'results' || t === 'hits') return t;
  throw invalidParam('resultType', `resultType must be results or hits, got "${v.slice(0, 40)}"`);
}

/** Strips a namespace prefix or a leading `reef:`-style qualifier from a property path. */
function localName(path: string): string {
  const p = path.trim().replace(/^\.\//, '');
  const c = p.lastIndexOf(':');
  return c >= 0 ? p.slice(c + 1) : p;
}

/** Property names of a type that a client may list (geometry included). */
function lookupProperty(type: FeatureTypeDef, name: string, locator: string): PropertyDef | 'geometry' {
  const local = localName(name);
  if (local === type.geometry.name) return 'geometry';
  const p = type.properties.find((x) => x.name === local);
  if (!p) throw invalidParam(locator, `Feature type ${type.name} has no property "${name.slice(0, 80)}"`);
  return p;
}

/** PROPERTYNAME → selected properties (catalog order) and whether the geometry is included. */
function selectProperties(type: FeatureTypeDef, names: string[] | undefined): { properties: PropertyDef[]; includeGeometry: boolean } {
  if (!names || names.length === 0 || names.includes('*')) return { properties: type.properties, includeGeometry: true };
  const wanted = new Set<PropertyDef>();
  let includeGeometry = false;
  for (const n of names) {
    const p = lookupProperty(type, n, 'propertyName');
    if (p === 'geometry') includeGeometry = true;
    else wanted.add(p);
  }
  return { properties: type.properties.filter((p) => wanted.has(p)), includeGeometry };
}

/** One SORTBY key (`name [ASC|DESC|A|D]`), checked against the catalog. */
function sortKey(type: FeatureTypeDef, text: string): SortKey {
  const m = /^\s*(\S+?)(?:\s+|\+)?(ASC|DESC|A|D)?\s*$/i.exec(text);
  if (!m) throw invalidParam('sortBy', `Cannot read SORTBY key "${text.slice(0, 80)}"`);
  const p = lookupProperty(type, m[1], 'sortBy');
  if (p === 'geometry' || p.queryable === false) throw invalidParam('sortBy', `Features cannot be sorted by "${m[1].slice(0, 80)}"`);
  const dir = (m[2] ?? 'ASC').toUpperCase();
  return { prop: p, desc: dir === 'DESC' || dir === 'D' };
}

/** Splits a PROPERTYNAME value: `a,b` or the per-query group form `(a,b)`. */
function propertyNameList(v: string | undefined): string[] | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const groups = v.trim().startsWith('(') ? (v.match(/\(([^)]*)\)/g) ?? []).map((g) => g.slice(1, -1)) : [v];
  if (groups.length > 1) throw invalidParam('propertyName', 'Only one query per request is supported');
  return commaList(groups[0]);
}

/** Splits gml:ids by the type they name (`Station.X` → Station, `X`); ids naming no type are kept aside. */
function splitIds(ids: string[], types: FeatureTypeDef[]): { byType: Map<FeatureTypeDef, string[]>; unknown: string[] } {
  const byType = new Map<FeatureTypeDef, string[]>();
  const unknown: string[] = [];
  for (const id of ids) {
    const dot = id.indexOf('.');
    const t = dot > 0 ? types.find((x) => x.name === id.slice(0, dot)) : undefined;
    if (!t || dot === id.length - 1) {
      unknown.push(id);
      continue;
    }
    byType.set(t, [...(byType.get(t) ?? []), id.slice(dot + 1)]);
  }
  return { byType, unknown };
}

/** Resolves the one query type and the resource ids that belong to it; ids of another type → 400 locator resourceId. */
function typeForResourceIds(ids: string[], named: FeatureTypeDef | undefined, types: FeatureTypeDef[]): { type: FeatureTypeDef; localIds: string[] } {
  const { byType } = splitIds(ids, types);
  const type = named ?? [...byType.keys()][0] ?? types[0];
  for (const t of byType.keys()) {
    if (t !== type) throw invalidParam('resourceId', `Resource id of type ${t.name} does not belong to the requested type ${type.name}`);
  }
  return { type, localIds: byType.get(type) ?? [] };
}

interface QueryParts {
  version: WfsVersion;
  typeNames?: string;
  /** The name the client sent the type names under (TYPENAMES or 1.x's TYPENAME), the locator of their errors. */
  typeNamesAs: 'typeNames' | 'typeName';
  ns: NamespaceMap;
  srsName?: string;
  propertyNames?: string[];
  sortKeys: string[];
  filters: Filter[];
  resourceIds?: string[];
  count?: number;
  startIndex?: number;
}

/** Builds the validated FeatureQuery from the parts common to the KVP and XML bindings. */
function buildQuery(parts: QueryParts, config: Config): FeatureQuery {
  const types = featureTypes(config);
  let type: FeatureTypeDef | undefined;
  if (parts.typeNames !== undefined && parts.typeNames.trim() !== '') {
    const groups = splitTypeNames(parts.typeNames);
    if (groups.length !== 1 || groups[0].length !== 1) {
      throw new OwsError('OperationNotSupported', parts.typeNamesAs, 'Only one feature type per request is supported (no joins or multiple queries)');
    }
    type = resolveTypeName(groups[0][0], parts.ns, types, config, parts.typeNamesAs);
  } else if (!parts.resourceIds) {
    throw missingParam('typeNames', 'Parameter TYPENAMES (or RESOURCEID, or STOREDQUERY_ID) is required');
  }
  let resourceIds: string[] | undefined;
  if (parts.resourceIds) {
    const r = typeForResourceIds(parts.resourceIds, type, types);
    type = r.type;
    resourceIds = r.localIds;
  }
  const t = type!;
  const crs = parts.srsName !== undefined && parts.srsName.trim() !== '' ? parseSrsName(parts.srsName) : defaultCrs(parts.version);
  const { properties, includeGeometry } = selectProperties(t, parts.propertyNames);
  return {
    type: t,
    filters: parts.filters,
    resourceIds,
    sortBy: parts.sortKeys.map((k) => sortKey(t, k)),
    properties,
    includeGeometry,
    crs,
    startIndex: parts.startIndex ?? 0,
    count: parts.count ?? config.countDefault,
  };
}

/** Parses a KVP GetFeature/GetPropertyValue. */
function parseGetFeatureKvp(req: OwsRequest, config: Config, opts: ParseOptions): GetFeatureRequest {
  const kvp = req.kvp;
  const version = operationVersion(req);
  const storedId = kvp.get('storedquery_id');
  const resultType = resultTypeOf(kvp.get('resulttype'));
  const encoder = encoderFor(kvp.get('outputformat'), version);
  const count = nonNegativeInt(kvp.get('count') ?? kvp.get('maxfeatures'), kvp.has('count') ? 'count' : 'maxFeatures');
  const startIndex = nonNegativeInt(kvp.get('startindex'), 'startIndex');
  if (storedId !== undefined) {
    if (storedId.trim() === '') throw missingParam('storedQuery_id');
    return storedQuery({ id: storedId.trim(), params: kvp }, version, encoder, config, opts);
  }
  const srsName = kvp.get('srsname');
  const filters: Filter[] = [];
  const filterText = kvp.get('filter');
  if (filterText !== undefined) {
    const parsed = parseFilterKvp(filterText, version);
    if (parsed.length !== 1) throw invalidParam('filter', 'Only one query per request is supported');
    filters.push(parsed[0]);
  }
  const bbox = kvp.get('bbox');
  if (bbox !== undefined) {
    const crs = srsName !== undefined && srsName.trim() !== '' ? parseSrsName(srsName) : defaultCrs(version);
    filters.push(parseBboxKvp(bbox, crs, 'bbox'));
  }
  const rid = kvp.get('resourceid') ?? kvp.get('featureid');
  const query = buildQuery(
    {
      version,
      typeNames: kvp.get('typenames') ?? kvp.get('typename'),
      typeNamesAs: kvp.has('typenames') || !kvp.has('typename') ? 'typeNames' : 'typeName',
      ns: parseNamespaces(kvp.get('namespaces')),
      srsName,
      propertyNames: propertyNameList(kvp.get('propertyname')),
      sortKeys: commaList(kvp.get('sortby')),
      filters,
      resourceIds: rid !== undefined ? parseResourceIdKvp(rid, kvp.has('resourceid') ? 'resourceId' : 'featureId') : undefined,
      count,
      startIndex,
    },
    config,
  );
  return { kind: 'adhoc', version, query, resultType, encoder };
}

/** Prefix → namespace of an XML element's scope (to resolve typeNames QNames). */
function scopeMap(el: XmlElement): NamespaceMap {
  return new Map(Object.entries(el.scope));
}

function xmlFilter(el: XmlElement, version: WfsVersion): Filter {
  if (el.ns === NS.fes) return parseFilterXml(el);
  return parseFilter110(el, version === '1.0.0' ? '1.0.0' : '1.1.0');
}

function xmlSortKeys(query: XmlElement): string[] {
  const sortBy = child(query, 'SortBy');
  if (!sortBy) return [];
  return childrenNamed(sortBy, 'SortProperty').map((sp) => {
    const ref = sp.children.find((c) => c.local === 'ValueReference' || c.local === 'PropertyName');
    if (!ref || ref.text === '') throw invalidParam('sortBy', 'SortProperty needs a ValueReference');
    const order = child(sp, 'SortOrder')?.text ?? 'ASC';
    return `${ref.text} ${order}`;
  });
}

/** Parses an XML GetFeature (wfs:GetFeature with one wfs:Query, or a wfs:StoredQuery). */
function parseGetFeatureXml(req: OwsRequest, config: Config, opts: ParseOptions): GetFeatureRequest {
  const root = req.xml!;
  const version = operationVersion(req);
  const resultType = resultTypeOf(root.attrs.resultType);
  const encoder = encoderFor(root.attrs.outputFormat, version);
  const count = nonNegativeInt(root.attrs.count ?? root.attrs.maxFeatures, root.attrs.count !== undefined ? 'count' : 'maxFeatures');
  const startIndex = nonNegativeInt(root.attrs.startIndex, 'startIndex');
  const stored = child(root, 'StoredQuery');
  if (stored) {
    const params = new Map<string, string>();
    for (const p of childrenNamed(stored, 'Parameter')) params.set((p.attrs.name ?? '').toLowerCase(), p.text);
    return storedQuery({ id: stored.attrs.id ?? '', params }, version, encoder, config, opts);
  }
  const queries = childrenNamed(root, 'Query');
  if (queries.length === 0) throw missingParam('Query', 'GetFeature needs a wfs:Query');
  if (queries.length > 1) throw new OwsError('OperationNotSupported', 'Query', 'Only one wfs:Query per request is supported');
  const q = queries[0];
  const filters: Filter[] = [];
  const filterEl = child(q, 'Filter');
  if (filterEl) filters.push(xmlFilter(filterEl, version));
  const propertyNames = q.children.filter((c) => c.local === 'PropertyName').map((c) => c.text).filter(Boolean);
  const typeNames = q.attrs.typeNames ?? q.attrs.typeName;
  const typeNamesAs = q.attrs.typeNames !== undefined || q.attrs.typeName === undefined ? 'typeNames' : 'typeName';
  // typeNames QNames resolve against the element's own namespace declarations.
  const ns = scopeMap(q);
  const query = buildQuery(
    { version, typeNames, typeNamesAs, ns, srsName: q.attrs.srsName, propertyNames: propertyNames.length ? propertyNames : undefined, sortKeys: xmlSortKeys(q), filters, count, startIndex },
    config,
  );
  return { kind: 'adhoc', version, query, resultType, encoder };
}

/** Parses either binding into one validated query: the operation's only call into this module. */
export function parseGetFeature(req: OwsRequest, config: Config, opts: ParseOptions = { storedQueries: true }): GetFeatureRequest {
  return req.xml ? parseGetFeatureXml(req, config, opts) : parseGetFeatureKvp(req, config, opts);
}

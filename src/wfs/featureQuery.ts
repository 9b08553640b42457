import type { FeatureTypeDef, PropertyDef } from '../catalog/types';
import type { CrsRef } from '../crs/crs';
import type { FeatureEncoder } from '../encoders/featureEncoder';
import type { Filter } from '../fes/ast';
import { SqlParams } from '../query/sqlParams';
import { compileFilter, localIdSql } from '../fes/compile';
import { isoSql } from '../data/sqlTime';

/** One SORTBY key, checked against the catalog. */
export interface SortKey {
  prop: PropertyDef;
  desc: boolean;
}

/** A validated GetFeature query on one feature type: everything SQL generation needs, nothing from raw text. */
export interface FeatureQuery {
  type: FeatureTypeDef;
  /** Filters to AND together (FILTER, BBOX, ...). */
  filters: Filter[];
  /** gml:ids already known to belong to this type (RESOURCEID, GetFeatureById), without the `Type.` prefix. */
  resourceIds?: string[];
  sortBy: SortKey[];
  /** Selected non-geometry properties, catalog order. */
  properties: PropertyDef[];
  includeGeometry: boolean;
  crs: CrsRef;
  startIndex: number;
  count: number;
}

export interface Sql {
  text: string;
  values: unknown[];
}

/** The SQL text of a property value as written in documents (times in UTC ISO 8601, numbers in shortest exact form). */
export function valueText(p: PropertyDef): string {
  switch (p.type) {
    case 'dateTime':
      return isoSql(p.sql);
    case 'boolean':
      return `CASE WHEN (${p.sql}) THEN 'true' WHEN NOT (${p.sql}) THEN 'false' END`;
    default:
      return `(${p.sql})::text`;
  }
}

/** The geometry, reprojected by PostGIS and encoded in the format the encoder writes. */
export function geometrySql(type: FeatureTypeDef, crs: CrsRef, encoding: FeatureEncoder['geometryEncoding'], params: SqlParams): string {
  const g = `ST_Transform(${type.geometry.sql}, ${params.add(crs.srid)}::int)`;
  // GML follows the axis order of the CRS spelling (R6); GeoJSON and WKT stay x/y (lon/lat).
  const gml = crs.latFirst ? `ST_FlipCoordinates(${g})` : g;
  switch (encoding) {
    case 'gml32':
      return `ST_AsGML(3, ${gml}, 15, 0, 'gml', ${params.add(`${type.name}.`)} || (${type.idSql}) || '.geom')`;
    case 'gml311':
      return `ST_AsGML(3, ${gml}, 15, 0, 'gml')`;
    case 'gml2':
      return `ST_AsGML(2, ${gml}, 15, 0)`;
    case 'geojson':
      return `ST_AsGeoJSON(${g}, 9)`;
    case 'wkt':
      return `ST_AsText(${g})`;
  }
}

/** SELECT list of a feature row: local id, encoded geometry, then the selected properties as text. */
export function selectList(q: FeatureQuery, encoding: FeatureEncoder['geometryEncoding'], params: SqlParams): string {
  const cols = [`(${q.type.idSql})::text`, q.includeGeometry ? geometrySql(q.type, q.crs, encoding, params) : 'NULL::text'];
  for (const p of q.properties) cols.push(valueText(p));
  // Named c0..cN so rows also read correctly as objects (array order = column order).
  return cols.map((c, i) => `${c} AS c${i}`).join(', ');
}

/** WHERE clause (or '') of a query. */
export function whereSql(q: FeatureQuery, params: SqlParams): string {
  const conds: string[] = [];
  for (const f of q.filters) conds.push(`(${compileFilter(f, q.type, params)})`);
  if (q.resourceIds) conds.push(`(${localIdSql(q.type, q.resourceIds, params)})`);
  return conds.length ? `WHERE ${conds.join(' AND ')}` : '';
}

/** ORDER BY: the requested keys (typed: numbers sort as numbers), then the type's stable key so pages never overlap. */
export function orderSql(q: FeatureQuery): string {
  const keys = q.sortBy.map((k) => `(${k.prop.sql}) ${k.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
  return `ORDER BY ${[...keys, ...q.type.orderKey].join(', ')}`;
}

/** One page with LIMIT/OFFSET (the general path). */
export function pageSql(q: FeatureQuery, encoding: FeatureEncoder['geometryEncoding']): Sql {
  const params = new SqlParams();
  const select = selectList(q, encoding, params);
  const where = whereSql(q, params);
  const text = `SELECT ${select} FROM ${q.type.from} ${where} ${orderSql(q)} LIMIT ${params.add(q.count)} OFFSET ${params.add(q.startIndex)}`;
  return { text, values: params.values };
}

/** Exact number of matching features. */
export function countSql(q: FeatureQuery): Sql {
  const params = new SqlParams();
  const where = whereSql(q, params);
  return { text: `SELECT count(*)::bigint AS n FROM ${q.type.from} ${where}`, values: params.values };
}

/** Number of features on the requested page (bounded by COUNT, so it costs no more than the page itself). */
export function pageCountSql(q: FeatureQuery): Sql {
  const params = new SqlParams();
  const where = whereSql(q, params);
  return {
    text: `SELECT count(*)::bigint AS n FROM (SELECT 1 FROM ${q.type.from} ${where} LIMIT ${params.add(q.count)} OFFSET ${params.add(q.startIndex)}) page`,
    values: params.values,
  };
}

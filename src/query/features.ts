/**
 * The feature query (one collection of the catalogue, FES filters, ids, sort, page, CRS) compiled to
 * SQL in one place, for every feature front-end (WFS now; OGC API Features reads the same type). The
 * filters are FES ASTs: other filter syntaxes compile into that AST, never into SQL of their own.
 */
import type { FeatureTypeDef, PropertyDef } from '../catalog/types';
import { DATASET, JOIN, OBSERVATION } from '../catalog/schema';
import type { CrsRef } from '../crs/crs';
import type { FeatureEncoder } from '../encoders/features/featureEncoder';
import type { Filter } from '../fes/ast';
import { compileFilter, localIdSql } from '../fes/compile';
import { isoSql } from '../data/sqlTime';
import { Sql, SqlParams } from './sqlParams';

export type { Sql };

/** How the geometry column is encoded for the output format (GML flavours by PostGIS, GeoJSON, WKT). */
export type GeometryEncoding = FeatureEncoder['geometryEncoding'];

/** One SORTBY key, checked against the catalog. */
export interface SortKey {
  prop: PropertyDef;
  desc: boolean;
}

/** A position in the Observation collection's natural order: (dataset id, time as ISO UTC to the microsecond). */
export interface ObservationKey {
  datasetId: number;
  time: string;
}

/** A validated query on one feature type: everything SQL generation needs, nothing from raw text. */
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
  /**
   * Keyset paging of a filtered Observation query in its natural order (no sortBy): the page starts
   * after this key instead of skipping startIndex rows, so a deep page costs what the first one does
   * (startIndex then only numbers the page). Unfiltered queries page by the seek below instead.
   */
  after?: ObservationKey;
  /** Append the ObservationKey of a full page's last row as a trailing text column `<dataset id>.<YYYY-MM-DD HH:MM:SS[.ffffff]>` in UTC, NULL on the other rows (for the next page's `after`). */
  withKey?: boolean;
}

/** The SQL text of a property value as written in documents (times in UTC ISO 8601, numbers in shortest exact form). */
function valueText(p: PropertyDef): string {
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
function geometrySql(type: FeatureTypeDef, crs: CrsRef, encoding: GeometryEncoding, params: SqlParams): string {
  const g = `ST_Transform(${type.geometry.sql}, ${params.add(crs.srid)}::int)`;
  // GML (and OGC API GeoJSON) follow the axis order of the CRS spelling (R6); WFS GeoJSON and WKT stay x/y (lon/lat).
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
    case 'geojson-crs':
      return `ST_AsGeoJSON(${gml}, 9)`;
    case 'wkt':
      return `ST_AsText(${g})`;
  }
}

/**
 * SELECT list of a feature row: local id, encoded geometry, then the selected properties as text.
 * `order` is the statement's ORDER BY: it numbers the rows for the keyset key column.
 */
function selectList(q: FeatureQuery, encoding: GeometryEncoding, params: SqlParams, order: string): string {
  const cols = [`(${q.type.idSql})::text`, q.includeGeometry ? geometrySql(q.type, q.crs, encoding, params) : 'NULL::text'];
  for (const p of q.properties) cols.push(valueText(p));
  if (q.withKey) {
    // Only the last row of a full page carries the key (only the next link reads it; every other row
    // has NULL): numbered in the statement's own order, so the window sorts nothing more. The text is
    // `<dataset id>.<UTC time as the ISO DateStyle both stores set writes it>`, PostgreSQL's cheapest.
    // ROWS framing: under the default RANGE frame the window reads one row past the page to find the
    // last row's peers, and that row can cost a whole next dataset's sort (the bbox first page read
    // 2,001 observations instead of 1,001, +16 % backend CPU over the same WFS page).
    const last = params.add(skipped(q) + q.count);
    cols.push(`CASE WHEN row_number() OVER (${order} ROWS UNBOUNDED PRECEDING) = ${last}::bigint THEN ${OBSERVATION.datasetId}::text || '.' || (${OBSERVATION.time} AT TIME ZONE 'UTC')::text END`);
  }
  // Named c0..cN so rows also read correctly as objects (array order = column order).
  return cols.map((c, i) => `${c} AS c${i}`).join(', ');
}

/** The conditions of a query, to AND together. */
function conditions(q: FeatureQuery, params: SqlParams): string[] {
  const conds: string[] = [];
  for (const f of q.filters) conds.push(`(${compileFilter(f, q.type, params)})`);
  if (q.resourceIds) conds.push(`(${localIdSql(q.type, q.resourceIds, params)})`);
  // A row comparison the primary key (dataset_id, time) answers with one index range scan.
  if (q.after) conds.push(`(${OBSERVATION.datasetId}, ${OBSERVATION.time}) > (${params.add(q.after.datasetId)}::int, ${params.add(q.after.time)}::timestamptz)`);
  return conds;
}

/** WHERE clause (or '') of a query. */
function whereSql(q: FeatureQuery, params: SqlParams): string {
  const conds = conditions(q, params);
  return conds.length ? `WHERE ${conds.join(' AND ')}` : '';
}

/** ORDER BY: the requested keys (typed: numbers sort as numbers), then the type's stable key so pages never overlap. */
function orderSql(q: FeatureQuery): string {
  const keys = q.sortBy.map((k) => `(${k.prop.sql}) ${k.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
  return `ORDER BY ${[...keys, ...q.type.orderKey].join(', ')}`;
}

/** Rows the statement skips: startIndex, or none when the keyset condition already starts the page. */
const skipped = (q: FeatureQuery): number => (q.after ? 0 : q.startIndex);

/** One page with LIMIT/OFFSET (filtered observations in their natural order read dataset by dataset, below). */
export function pageSql(q: FeatureQuery, encoding: GeometryEncoding): Sql {
  return isFilteredObservationInOrder(q) ? observationFilteredPageSql(q, encoding) : joinPageSql(q, encoding);
}

/** One page with LIMIT/OFFSET over the type's joined FROM (the general path). */
export function joinPageSql(q: FeatureQuery, encoding: GeometryEncoding): Sql {
  const params = new SqlParams();
  const order = orderSql(q);
  const select = selectList(q, encoding, params, order);
  const where = whereSql(q, params);
  const text = `SELECT ${select} FROM ${q.type.from} ${where} ${order} LIMIT ${params.add(q.count)} OFFSET ${params.add(skipped(q))}`;
  return { text, values: params.values };
}

/** The Observation FROM the dataset-by-dataset page below is written for (whitespace aside). */
const OBSERVATION_FROM = `${OBSERVATION.from} ${JOIN.dataset} ${JOIN.station} ${JOIN.property}`;
const sameSql = (a: string, b: string): boolean => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

/**
 * Observations with a filter or a keyset start, in their natural order (dataset, time), not by id,
 * over the FROM the dataset-by-dataset page knows (another catalogue layout takes the general path).
 */
function isFilteredObservationInOrder(q: FeatureQuery): boolean {
  return q.type.name === 'Observation' && q.sortBy.length === 0 && !q.resourceIds && (q.filters.length > 0 || q.after !== undefined) && sameSql(q.type.from, OBSERVATION_FROM);
}

/**
 * A page of filtered observations in their natural order, read dataset by dataset: for each dataset
 * (in id order) a LATERAL primary-key scan returns at most LIMIT + OFFSET of its matching rows in time
 * order, so the sort on (dataset, time) holds a page's worth of rows per dataset. Over the plain join
 * PostgreSQL sorts every row of the first matching dataset to return the first 1000 (a bbox page on
 * the 7.6M set: ~200 ms, ~3 ms this way; docs/benchmarks.md, OGC API section). The filter is the same
 * text over the same aliases, evaluated inside the LATERAL: there `o` is the observation row and
 * d, s, p the outer dataset, station and property, so conditions on those alone are constant per
 * dataset and run once for it (a one-time filter) rather than per observation.
 */
function observationFilteredPageSql(q: FeatureQuery, encoding: GeometryEncoding): Sql {
  const params = new SqlParams();
  const order = `ORDER BY ${DATASET.id}, ${OBSERVATION.time}`;
  const select = selectList(q, encoding, params, order);
  const conds = [`${OBSERVATION.datasetId} = ${DATASET.id}`, ...conditions(q, params)];
  const perDataset = params.add(q.count + skipped(q));
  // Datasets before the keyset's one have nothing after it: not visited at all.
  const startAt = q.after ? ` WHERE ${DATASET.id} >= ${params.add(q.after.datasetId)}::int` : '';
  const text =
    `SELECT ${select} FROM ${DATASET.from} ${JOIN.station} ${JOIN.property}` +
    ` CROSS JOIN LATERAL (SELECT o.* FROM ${OBSERVATION.from} WHERE ${conds.join(' AND ')} ORDER BY ${OBSERVATION.time} LIMIT ${perDataset}::bigint) o` +
    `${startAt} ${order} LIMIT ${params.add(q.count)} OFFSET ${params.add(skipped(q))}`;
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
    text: `SELECT count(*)::bigint AS n FROM (SELECT 1 FROM ${q.type.from} ${where} LIMIT ${params.add(q.count)} OFFSET ${params.add(skipped(q))}) page`,
    values: params.values,
  };
}

/** True for the whole Observation collection without a filter: counted and paged through the stored per-dataset counts. */
export function isUnfilteredObservation(q: FeatureQuery): boolean {
  return q.type.name === 'Observation' && q.filters.length === 0 && !q.resourceIds && !q.after;
}

/** Number of observations, from the counts the importer keeps per dataset. */
export function storedObservationCountSql(): Sql {
  return { text: 'SELECT coalesce(sum(obs_count), 0)::bigint AS n FROM dataset', values: [] };
}

/** The dataset holding row `startIndex` of the whole Observation collection in its natural order, that row's offset `k` inside it, and the dataset's row count `n`. */
export function observationSeekPositionSql(startIndex: number): Sql {
  const at = new SqlParams();
  const start = at.add(startIndex);
  return at.sql(
    `SELECT id, (${start}::bigint - before)::bigint AS k, obs_count AS n
         FROM (SELECT id, obs_count, sum(obs_count) OVER (ORDER BY id) - obs_count AS before FROM dataset) c
        WHERE before + obs_count > ${start}::bigint ORDER BY id LIMIT 1`,
  );
}

/**
 * COUNT rows of the whole Observation collection from row `k` (of `n`) of dataset `datasetId` on: the
 * starting time by an index-only OFFSET inside that one dataset, then forward on the primary key. The
 * OFFSET reads every entry it skips, so it counts from the nearer end of the dataset (the stored count
 * is exact: the importer rewrites it with the rows): at most half a dataset, whatever the depth.
 */
export function observationSeekSql(q: FeatureQuery, encoding: GeometryEncoding, datasetId: number, k: number, n: number): Sql {
  const params = new SqlParams();
  const order = `ORDER BY ${OBSERVATION.datasetId}, ${OBSERVATION.time}`;
  const select = selectList(q, encoding, params, order);
  const ds = params.add(datasetId);
  const fromEnd = k > (n - 1) / 2;
  const skip = params.add(fromEnd ? n - 1 - k : k);
  return params.sql(
    `SELECT ${select} FROM ${q.type.from}` +
      ` WHERE (${OBSERVATION.datasetId}, ${OBSERVATION.time}) >= (${ds}::int, (SELECT time FROM ${OBSERVATION.table} WHERE dataset_id = ${ds}::int ORDER BY time${fromEnd ? ' DESC' : ''} OFFSET ${skip}::bigint LIMIT 1))` +
      ` ${order} LIMIT ${params.add(q.count)}`,
  );
}

import type { FeatureTypeDef } from '../catalog/types';
import { CRS84_URI as CRS84, CrsRef, parseCrs, supportedCrsUrns } from '../crs/crs';
import type { Filter, GeometryOperand } from '../fes/ast';
import { GeometryType, MAX_LENGTH } from './ast';
import { Cql2Error, Source } from './errors';
import { geometryOperand } from './geometry';
import { parseJson } from './parseJson';
import { parseText, parseWkt } from './parseText';
import { Queryable, toFes } from './toFes';

export { Cql2Error } from './errors';
export type { GeometryType } from './ast';
export type { Queryable, QueryableType } from './toFes';

/** The filter-lang values of OGC API Features Part 3. */
export type Cql2Lang = 'cql2-text' | 'cql2-json';

/** What a filter is read against: the collection's queryables and the filter-crs parameter. */
export interface Cql2Context {
  /** The names a filter may use (any other is an error), each mapped to its FES ValueReference path. */
  queryables: ReadonlyMap<string, Queryable>;
  /** The filter-crs parameter; absent means CRS84 (lon/lat). EPSG:4326 in its URI forms is lat/lon. */
  filterCrs?: string;
}

function filterCrs(name: string | undefined): CrsRef {
  const crs = parseCrs(name ?? CRS84);
  if (!crs) {
    throw new Cql2Error(`filter-crs: unsupported CRS ${JSON.stringify(String(name).slice(0, 100))}; supported: ${CRS84}, ${supportedCrsUrns().join(', ')}`, {}, 'filter-crs');
  }
  return crs;
}

/**
 * Parses an OGC CQL2 filter (cql2-text, or cql2-json as text or a parsed value) into the FES AST that
 * compileFilter turns into SQL. Every problem with the filter is a Cql2Error (400) with its position
 * (cql2-text) or JSON pointer (cql2-json); nothing here touches the database.
 */
export function parseCql2(input: unknown, lang: Cql2Lang, ctx: Cql2Context): Filter {
  if (lang !== 'cql2-text' && lang !== 'cql2-json') {
    throw new Cql2Error(`filter-lang: unsupported language ${JSON.stringify(String(lang).slice(0, 40))}; supported: cql2-text, cql2-json`, {}, 'filter-lang');
  }
  const crs = filterCrs(ctx.filterCrs);
  if (lang === 'cql2-json') {
    const src = new Source(lang);
    return toFes(parseJson(input, src), ctx.queryables, crs, src);
  }
  if (typeof input !== 'string') throw new Cql2Error('filter: a cql2-text filter must be a string');
  if (input.length > MAX_LENGTH) throw new Cql2Error(`filter: filter longer than ${MAX_LENGTH} characters`);
  const src = new Source(lang, input);
  return toFes(parseText(input, src), ctx.queryables, crs, src);
}

/**
 * The queryables of a feature type as the catalogue defines them: its queryable properties (typed, so
 * misfit literals are caught with a position) and its geometry, each under its own name.
 */
export function queryablesOf(type: FeatureTypeDef): Map<string, Queryable> {
  const q = new Map<string, Queryable>([[type.geometry.name, { path: type.geometry.name, type: 'geometry' }]]);
  for (const p of type.properties) {
    if (p.queryable !== false) q.set(p.name, { path: p.name, type: p.type, nullable: p.nullable });
  }
  return q;
}

/**
 * A WKT geometry given alone (OGC API – EDR `coords`), read by the CQL2 geometry-literal parser into
 * the FES geometry operand filters use: coordinates in the axis order of `crs`, checked like any filter
 * geometry. Only the `allowed` types are accepted; every problem is a Cql2Error naming `param`.
 */
export function parseWktGeometry(text: string, crs: CrsRef, allowed: readonly GeometryType[], param: string): GeometryOperand {
  if (text.length > MAX_LENGTH) throw new Cql2Error(`${param}: longer than ${MAX_LENGTH} characters`, {}, param);
  const src = new Source('cql2-text', text, param);
  const node = parseWkt(text, src, allowed);
  return geometryOperand(node, crs, (what) => {
    throw src.error(node.at, what);
  });
}

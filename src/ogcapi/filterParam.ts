/**
 * The Part 3 `filter` parameter, read by the CQL2 parser (src/cql2) into the FES AST that WFS filters
 * compile from: there is no SQL of its own, and names resolve only through the collection's queryables.
 */
import type { CrsRef } from '../crs/crs';
import type { Filter } from '../fes/ast';
import { invalidParam } from '../ows/errors';
import { parseCql2, queryablesOf, Queryable } from '../cql2';
import type { Collection } from './collections';

/** The filter parameters of one request, validated except for the expression itself. */
export interface FilterParam {
  text: string;
  lang: 'cql2-text' | 'cql2-json';
  /** CRS of the geometry literals (`filter-crs`, default CRS84). */
  crs: CrsRef;
}

/** Reads `filter-lang`: cql2-text (default) or cql2-json; anything else → 400. */
export function filterLang(value: string | undefined): FilterParam['lang'] {
  if (value === undefined || value.trim() === '') return 'cql2-text';
  const v = value.trim();
  if (v === 'cql2-text' || v === 'cql2-json') return v;
  throw invalidParam('filter-lang', `Unsupported filter-lang "${v.slice(0, 40)}"; supported: cql2-text, cql2-json`);
}

const queryablesByType = new WeakMap<Collection['type'], Map<string, Queryable>>();

/** The names a filter may use in a collection: the same properties /queryables lists, and its geometry. */
function filterQueryables(collection: Collection): Map<string, Queryable> {
  let q = queryablesByType.get(collection.type);
  if (!q) {
    q = queryablesOf(collection.type);
    queryablesByType.set(collection.type, q);
  }
  return q;
}

/** The filter as an FES AST over the collection's queryables; a bad expression → 400 with its position. */
export function parseFilterParam(param: FilterParam, collection: Collection): Filter {
  return parseCql2(param.text, param.lang, { queryables: filterQueryables(collection), filterCrs: param.crs.name });
}

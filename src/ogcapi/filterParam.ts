/**
 * The Part 3 `filter` parameter, read into the FES AST that WFS filters compile from (no SQL of its
 * own). Every call goes through parseFilterParam; until a CQL2 parser is wired in here it answers 400.
 */
import type { CrsRef } from '../crs/crs';
import type { Filter } from '../fes/ast';
import { invalidParam } from '../ows/errors';
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

/** The filter as an FES AST over the collection's queryables; a bad expression → 400 with its position. */
export function parseFilterParam(param: FilterParam, collection: Collection): Filter {
  void collection;
  throw invalidParam('filter', `filter (${param.lang}) is not supported yet`);
}

import { featureTypes } from '../../src/catalog/featureTypes';
import { FeatureTypeDef } from '../../src/catalog/types';
import { loadConfig } from '../../src/config/config';
import { Cql2Error, parseCql2, queryablesOf } from '../../src/cql2';
import { ComparisonOp, Filter, Literal, ValueRef } from '../../src/fes/ast';
import { STATION } from '../fes/stationType';

/** The served collections (src/catalog/featureTypes.ts) and the FES tests' Station type (boolean hasData, nullable depth). */
export const TYPES: Record<'Station' | 'Dataset' | 'Observation' | 'TestStation', FeatureTypeDef> = (() => {
  const served = featureTypes(loadConfig({ LOG_LEVEL: 'silent' }));
  const byName = (n: string) => served.find((t) => t.name === n)!;
  return { Station: byName('Station'), Dataset: byName('Dataset'), Observation: byName('Observation'), TestStation: STATION };
})();
export type TypeName = keyof typeof TYPES;

/** Parses cql2-text against a type's queryables. */
export const text = (s: string, on: TypeName = 'Station', filterCrs?: string): Filter => parseCql2(s, 'cql2-text', { queryables: queryablesOf(TYPES[on]), filterCrs });
/** Parses cql2-json (a value, as a request body would be) against a type's queryables. */
export const json = (v: unknown, on: TypeName = 'Station', filterCrs?: string): Filter => parseCql2(v, 'cql2-json', { queryables: queryablesOf(TYPES[on]), filterCrs });

/** Both encodings (and cql2-json as a string) must give the same FES filter; returns it. */
export function both(t: string, j: unknown, on: TypeName = 'Station', filterCrs?: string): Filter {
  const a = text(t, on, filterCrs);
  expect(json(j, on, filterCrs)).toEqual(a);
  expect(json(JSON.stringify(j), on, filterCrs)).toEqual(a);
  return a;
}

/** The Cql2Error fn throws (fails the test on anything else, or nothing). */
export function cql2Error(fn: () => unknown): Cql2Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Cql2Error) return e;
    throw e;
  }
  throw new Error('no Cql2Error thrown');
}

export const ref = (path: string): ValueRef => ({ kind: 'ref', path });
export const lit = (value: string): Literal => ({ kind: 'literal', value });
export const P = (property: string) => ({ property });
export const cmp = (op: ComparisonOp, path: string, value: string, matchCase = true): Filter => ({ op, left: ref(path), right: lit(value), matchCase, matchAction: 'Any' });
export const notNull = (path: string): Filter => ({ op: 'Not', arg: { op: 'PropertyIsNull', ref: ref(path) } });
export const TRUE: Filter = { op: 'And', args: [] };
export const FALSE: Filter = { op: 'Or', args: [] };

/**
 * Queryables (Part 3) as a JSON Schema built from the catalogue's feature type: every property a
 * filter, a property parameter or sortby may name, typed, with the `x-ogc-role` and `format` members
 * pygeoapi and the Part 5 draft use (primary geometry, id, primary instant or interval ends).
 */
import type { FeatureTypeDef, PropertyDef, PropertyType } from '../catalog/types';
import type { Collection } from './collections';
import type { ParamDef } from './routes';

/** The properties that can be filtered and sorted on, in catalogue order. */
export function queryableProperties(type: FeatureTypeDef): PropertyDef[] {
  return type.properties.filter((p) => p.queryable !== false);
}

const JSON_TYPES: Record<PropertyType, Record<string, string>> = {
  string: { type: 'string' },
  anyURI: { type: 'string', format: 'uri' },
  int: { type: 'integer' },
  long: { type: 'integer' },
  double: { type: 'number' },
  boolean: { type: 'boolean' },
  dateTime: { type: 'string', format: 'date-time' },
};

/** The role of a property in its collection, if it has one. */
function role(p: PropertyDef, c: Collection): string | undefined {
  if (p.sql === c.type.idSql) return 'id';
  const t = c.time;
  if (t.kind === 'instant') return p.name === t.property ? 'primary-instant' : undefined;
  if (p.name === t.start) return 'primary-interval-start';
  if (p.name === t.end) return 'primary-interval-end';
  return undefined;
}

/** The queryables document of a collection; `self` is its own URL (the schema's $id). */
export function queryablesSchema(c: Collection, self: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    [c.type.geometry.name]: { title: 'Position', format: 'geometry-point', 'x-ogc-role': 'primary-geometry' },
  };
  for (const p of queryableProperties(c.type)) {
    const r = role(p, c);
    properties[p.name] = { title: p.title ?? p.name, ...JSON_TYPES[p.type], ...(r ? { 'x-ogc-role': r } : {}) };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: self,
    type: 'object',
    title: c.type.title,
    description: c.type.abstract,
    properties,
    additionalProperties: false,
  };
}

/**
 * Each queryable as an equality parameter of the collection's items (`?country=NCL`), typed as in the
 * queryables document: what the router accepts (itemsQuery.ts) and the OpenAPI document lists, where
 * GDAL's OAPIF driver finds the properties it may send a `-where` equality to.
 */
export function queryableParameters(c: Collection): ParamDef[] {
  return queryableProperties(c.type).map((p) => ({
    name: p.name,
    in: 'query',
    required: false,
    description: `Only features whose ${p.name}${p.title && p.title !== p.name ? ` (${p.title})` : ''} equals this value.`,
    schema: { ...JSON_TYPES[p.type] },
  }));
}

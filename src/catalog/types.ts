import type { Catalogue, Station } from './model';

/**
 * Feature types described as data. This is the only place SQL identifiers come from:
 * every `sql` string below is written by us, never derived from a request.
 */

/** XSD-level type of a property; drives DescribeFeatureType, literal parsing and typed comparison/sorting. */
export type PropertyType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'dateTime' | 'anyURI';

export interface PropertyDef {
  /** XML local name (also the GeoJSON/CSV key). */
  name: string;
  type: PropertyType;
  /** SQL expression selecting the value (our own text, e.g. `s.depth_m`). */
  sql: string;
  nullable: boolean;
  /** Short description for documentation. */
  title?: string;
  /** False for values that cannot be filtered or sorted cheaply (e.g. computed lists); default true. */
  queryable?: boolean;
  /** For link properties: `sql` selects a key and this builds the absolute URL from it (needs the request's base URL). */
  link?: (key: string, baseUrl: string) => string;
}

export interface GeometryDef {
  /** XML local name of the geometry property (`geom`). */
  name: string;
  /** SQL expression of the geometry, stored in EPSG:4326 (lon/lat). */
  sql: string;
  /** GML property type for DescribeFeatureType (`gml:PointPropertyType`). */
  gmlType: 'PointPropertyType';
  srid: 4326;
}

export interface FeatureTypeDef {
  /** Local name (`Station`); qualified with the configured namespace prefix. */
  name: string;
  title: string;
  abstract: string;
  /** Keywords of the type in the capabilities (WFS 1.0.0 clients such as OWSLib expect some). */
  keywords: readonly string[];
  /** SQL FROM clause with joins (our own text). */
  from: string;
  /** SQL expression of the feature's identifier (text); gml:id = `${name}.${id}`. */
  idSql: string;
  geometry: GeometryDef;
  properties: PropertyDef[];
  /** SQL expressions giving a unique, stable order (used for paging). */
  orderKey: string[];
  /** The catalogue stations that carry features of this type: their box is the advertised extent (default: every station). */
  carriers?: (cat: Catalogue) => Station[];
  /**
   * Optional indexed lookup of one feature by the part of its gml:id after `${name}.`: returns a SQL
   * condition using `param(value)` placeholders, or null when the id cannot belong to this type.
   * Without it, lookups compare `idSql` with the id.
   */
  idCondition?: (localId: string, param: (value: unknown) => string) => string | null;
}

import { escAttr, escText } from '../../xml/escape';
import type { FeatureTypeDef, PropertyDef } from '../../catalog/types';

/** Everything a feature encoder needs to know about one response, decided before the first row. */
export interface CollectionInfo {
  type: FeatureTypeDef;
  /** Namespace prefix and URI of the feature types. */
  prefix: string;
  namespaceUri: string;
  /** Selected non-geometry properties, in schema order; row values follow this order. */
  properties: PropertyDef[];
  includeGeometry: boolean;
  numberMatched: number | 'unknown';
  numberReturned: number;
  /** RESULTTYPE=hits: counts only (WFS 1.1.0 then reports numberMatched as numberOfFeatures). */
  hits?: boolean;
  timeStamp: string;
  /** srsName exactly as the client asked (or the default), echoed on every geometry. */
  srsName: string;
  /** Absolute URLs. */
  next?: string;
  previous?: string;
  /** Absolute DescribeFeatureType URL of the type (xsi:schemaLocation). */
  schemaUrl: string;
  baseUrl: string;
}

/**
 * One row as selected by the feature query: [localId, encodedGeometry | null, ...property values as text | null].
 * Geometry arrives already encoded by PostGIS in the encoder's own format (GML fragment, GeoJSON, WKT).
 */
export type FeatureRow = (string | null)[];

/** Streams a feature collection: a head, one string per feature, a tail. */
export interface FeatureEncoder {
  contentType: string;
  /**
   * Which PostGIS encoding of the geometry this format needs. `geojson` is x/y (lon/lat) whatever the
   * CRS, as WFS GeoJSON writes it; `geojson-crs` follows the CRS's axis order (OGC API – Features
   * Part 2: EPSG:4326 is lat/lon).
   */
  geometryEncoding: 'gml32' | 'gml311' | 'gml2' | 'geojson' | 'geojson-crs' | 'wkt';
  /** Written between two features (',' for JSON arrays). */
  separator?: string;
  /**
   * Set when feature() is a pure function of the row and of the members of info that featureTextKey
   * names (type, properties, includeGeometry, prefix, srsName, baseUrl): the name of this feature
   * layout. The features' text of a kept page of stations or datasets is then written once and reused
   * (src/query/pageCache.ts). Left out by an encoder whose features read anything else or keep state.
   */
  layout?: string;
  begin(info: CollectionInfo): string;
  feature(row: FeatureRow, info: CollectionInfo): string;
  /** The tail; `lastRow` is the last feature written (undefined when none was). */
  end(info: CollectionInfo, lastRow?: FeatureRow): string;
}

const objectIds = new WeakMap<object, number>();
let lastId = 0;
/** A number for an object, the same as long as it lives (types and properties are built per configuration). */
function idOf(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) {
    id = ++lastId;
    objectIds.set(o, id);
  }
  return id;
}

/**
 * What the features of an encoder with a `layout` depend on besides their rows, as a key (undefined:
 * no layout, nothing reused). Type and properties by identity: each configuration builds its own, and
 * their links read its settings.
 */
export function featureTextKey(encoder: FeatureEncoder, info: CollectionInfo): string | undefined {
  if (encoder.layout === undefined) return undefined;
  const props = info.properties.map(idOf).join(',');
  return `${encoder.layout}\n${idOf(info.type)}\n${props}\n${info.includeGeometry}\n${info.prefix}\n${info.srsName}\n${info.baseUrl}`;
}

/** The text of a property value as it should be written (links expanded to absolute URLs). */
export function propertyText(p: PropertyDef, v: string, baseUrl: string): string {
  return p.link ? p.link(v, baseUrl) : v;
}

const SRS_ATTR = /srsName="[^"]*"/;

/** Replaces the srsName PostGIS wrote with the client's spelling (the conformance suite wants it echoed verbatim). */
export function withSrsName(gml: string, escapedSrsName: string): string {
  return gml.replace(SRS_ATTR, `srsName="${escapedSrsName}"`);
}

/** The property and geometry elements of one GML feature (any GML version: the geometry text comes from PostGIS). */
export function gmlFeatureBody(row: FeatureRow, info: CollectionInfo): string {
  const { prefix, type } = info;
  let out = '';
  for (let i = 0; i < info.properties.length; i++) {
    const v = row[i + 2];
    if (v === null || v === undefined) continue;
    const p = info.properties[i];
    out += `<${prefix}:${p.name}>${escText(propertyText(p, v, info.baseUrl))}</${prefix}:${p.name}>`;
  }
  if (info.includeGeometry && row[1]) {
    out += `<${prefix}:${type.geometry.name}>${withSrsName(row[1], escAttr(info.srsName))}</${prefix}:${type.geometry.name}>`;
  }
  return out;
}

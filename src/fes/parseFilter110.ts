import { crsName, DEFAULT_CRS, parseCrs, WGS84_SRID } from '../crs/crs';
import { XmlElement } from '../http/xml';
import { Filter } from './ast';
import { Dialect, parseFilterRoot } from './parseCore';
import { NS } from '../xml/namespaces';

const ID_ELEMENTS = { FeatureId: ['fid'], GmlObjectId: ['gml:id', 'id'] };

/**
 * OGC Filter 1.1.0 (WFS 1.1.0, GML 3.1.1): geometries without srsName are in the WFS 1.1 default
 * `urn:x-ogc:def:crs:EPSG:4326`, latitude first.
 */
export const FILTER110_DIALECT: Dialect = {
  namespaces: new Set([NS.ogc, '']),
  refElement: 'PropertyName',
  idElements: ID_ELEMENTS,
  distanceUnitAttr: 'units',
  escapeAttrs: ['escapeChar', 'escape'],
  temporal: false,
  defaultCrs: DEFAULT_CRS,
};

/** OGC Filter 1.0.0 (WFS 1.0.0, GML 2): `escape` attribute, and EPSG:4326 means longitude first. */
export const FILTER100_DIALECT: Dialect = {
  ...FILTER110_DIALECT,
  escapeAttrs: ['escape', 'escapeChar'],
  defaultCrs: parseCrs(crsName.short(WGS84_SRID))!,
};

/** Parses an ogc:Filter (1.1.0 or 1.0.0) into the same AST as FES 2.0; errors carry locator `filter`. */
export function parseFilter110(el: XmlElement, version: '1.1.0' | '1.0.0' = '1.1.0'): Filter {
  return parseFilterRoot(el, version === '1.0.0' ? FILTER100_DIALECT : FILTER110_DIALECT);
}

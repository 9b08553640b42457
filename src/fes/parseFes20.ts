import { DEFAULT_CRS } from '../crs/crs';
import { XmlElement } from '../http/xml';
import { Filter } from './ast';
import { Dialect, parseFilterRoot } from './parseCore';
import { NS } from '../xml/namespaces';
import { parseFilter110 } from './parseFilter110';

/** FES 2.0: fes:ValueReference, fes:ResourceId rid=, Distance uom=, geometries default to urn 4326 (lat/lon). */
export const FES20_DIALECT: Dialect = {
  namespaces: new Set([NS.fes, '']),
  refElement: 'ValueReference',
  idElements: { ResourceId: ['rid'] },
  distanceUnitAttr: 'uom',
  escapeAttrs: ['escapeChar', 'escape'],
  temporal: true,
  defaultCrs: DEFAULT_CRS,
};

/**
 * Parses a fes:Filter (FES 2.0) element into the filter AST. An ogc:Filter (1.1 namespace) is handed
 * to the Filter 1.1 parser, so a POST body in either dialect works. Errors are OwsErrors with locator `filter`.
 */
export function parseFilterXml(el: XmlElement): Filter {
  if (el.ns === NS.ogc) return parseFilter110(el, '1.1.0');
  return parseFilterRoot(el, FES20_DIALECT);
}

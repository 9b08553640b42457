import { DEFAULT_CRS } from '../crs/crs';
import { XmlElement } from '../http/xml';
import { Filter } from './ast';
import { Dialect, FES20_NS, OGC_NS, parseFilterRoot } from './parseCore';
import { parseFilter110 } from './parseFilter110';

/** FES 2.0: fes:ValueReference, fes:ResourceId rid=, Distance uom=, geometries default to urn 4326 (lat/lon). */
export const FES20_DIALECT: Dialect = {
  namespaces: new Set([FES20_NS, '']),
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
  if (el.ns === OGC_NS) return parseFilter110(el, '1.1.0');
  return parseFilterRoot(el, FES20_DIALECT);
}

/**
 * Filter Encoding as data: one node type per operator. Parsers (FES 2.0 XML, Filter 1.1/1.0 XML,
 * KVP BBOX/RESOURCEID) produce these; compile.ts turns them into parameterized SQL.
 */

/** A property reference (fes:ValueReference / ogc:PropertyName), prefix stripped, or an XPath such as `@gml:id`. */
export interface ValueRef {
  kind: 'ref';
  path: string;
}

/** A literal as text; its type comes from the property it is compared with. */
export interface Literal {
  kind: 'literal';
  value: string;
}

export type Operand = ValueRef | Literal;

/** A geometry operand in a known CRS, normalised to lon/lat (x=lon) when geographic. */
export interface GeometryOperand {
  /** GeoJSON geometry in the coordinates of `srid`, axis order already normalised to x/y (lon/lat). */
  geojson: { type: string; coordinates: unknown };
  srid: number;
  /** Set when the operand came from an envelope/BBOX: [minx, miny, maxx, maxy] as given (x/y order, minx > maxx across the antimeridian). */
  bbox?: [number, number, number, number];
}

export interface Period {
  begin: string;
  end: string;
}

export type ComparisonOp = 'PropertyIsEqualTo' | 'PropertyIsNotEqualTo' | 'PropertyIsLessThan' | 'PropertyIsGreaterThan' | 'PropertyIsLessThanOrEqualTo' | 'PropertyIsGreaterThanOrEqualTo';
export type SpatialOp = 'BBOX' | 'Intersects' | 'Within' | 'Contains' | 'Disjoint' | 'DWithin' | 'Beyond' | 'Equals' | 'Touches' | 'Crosses' | 'Overlaps';
export type TemporalOp = 'After' | 'Before' | 'During' | 'TEquals' | 'Begins' | 'Ends' | 'TContains' | 'TOverlaps';

export type Filter =
  | { op: 'And' | 'Or'; args: Filter[] }
  | { op: 'Not'; arg: Filter }
  | { op: ComparisonOp; left: Operand; right: Operand; matchCase: boolean; matchAction: 'Any' | 'All' | 'One' }
  | { op: 'PropertyIsLike'; ref: ValueRef; pattern: string; wildCard: string; singleChar: string; escapeChar: string; matchCase: boolean }
  | { op: 'PropertyIsNull' | 'PropertyIsNil'; ref: ValueRef }
  | { op: 'PropertyIsBetween'; ref: ValueRef; lower: Operand; upper: Operand }
  | { op: 'ResourceId'; ids: string[] }
  | { op: SpatialOp; ref?: ValueRef; geometry: GeometryOperand; distance?: { value: number; uom: string } }
  | { op: TemporalOp; ref: ValueRef; instant?: string; period?: Period };

/** Node types by family, for code that handles one family (e.g. the WFS layer reading a KVP BBOX). */
export type SpatialFilter = Extract<Filter, { geometry: GeometryOperand }>;
export type TemporalFilter = Extract<Filter, { op: TemporalOp }>;

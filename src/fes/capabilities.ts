import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { FES20_NS, OGC_NS } from './parseCore';

const OWS11_NS = 'http://www.opengis.net/ows/1.1';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

/** FES 2.0 conformance classes and whether ReefGate implements them (listed verbatim in Filter_Capabilities). */
export const FES20_CONFORMANCE: ReadonlyArray<{ name: string; value: boolean }> = [
  { name: 'ImplementsQuery', value: true },
  { name: 'ImplementsAdHocQuery', value: true },
  { name: 'ImplementsFunctions', value: false },
  { name: 'ImplementsResourceId', value: true },
  { name: 'ImplementsMinStandardFilter', value: true },
  { name: 'ImplementsStandardFilter', value: true },
  { name: 'ImplementsMinSpatialFilter', value: true },
  { name: 'ImplementsSpatialFilter', value: true },
  { name: 'ImplementsMinTemporalFilter', value: true },
  { name: 'ImplementsTemporalFilter', value: true },
  { name: 'ImplementsVersionNav', value: false },
  { name: 'ImplementsSorting', value: true },
  { name: 'ImplementsExtendedOperators', value: false },
  { name: 'ImplementsMinimumXPath', value: true },
  { name: 'ImplementsSchemaElementFunc', value: false },
];

/** Every operator compileFilter turns into SQL, by family; the capabilities documents are written from these lists. */
export const FES20_OPERATORS = {
  logical: ['And', 'Or', 'Not'],
  comparison: [
    'PropertyIsEqualTo', 'PropertyIsNotEqualTo', 'PropertyIsLessThan', 'PropertyIsGreaterThan',
    'PropertyIsLessThanOrEqualTo', 'PropertyIsGreaterThanOrEqualTo', 'PropertyIsLike', 'PropertyIsNull',
    'PropertyIsNil', 'PropertyIsBetween',
  ],
  spatial: ['BBOX', 'Equals', 'Disjoint', 'Intersects', 'Touches', 'Crosses', 'Within', 'Contains', 'Overlaps', 'Beyond', 'DWithin'],
  geometryOperands: ['gml:Envelope', 'gml:Point', 'gml:LineString', 'gml:Polygon', 'gml:MultiPoint', 'gml:MultiCurve', 'gml:MultiSurface'],
  temporal: ['After', 'Before', 'During', 'TEquals'],
  temporalOperands: ['gml:TimeInstant', 'gml:TimePeriod'],
  resourceIdentifiers: ['fes:ResourceId'],
  functions: [] as string[],
} as const;

/** Filter 1.1.0 names of the same operators (ogc:Filter_Capabilities of WFS 1.1.0). */
export const FILTER110_OPERATORS = {
  spatial: FES20_OPERATORS.spatial,
  // Filter 1.1's enumeration has no Multi* operands; they are still parsed.
  geometryOperands: ['gml:Envelope', 'gml:Point', 'gml:LineString', 'gml:Polygon'],
  comparison: ['LessThan', 'GreaterThan', 'LessThanEqualTo', 'GreaterThanEqualTo', 'EqualTo', 'NotEqualTo', 'Like', 'Between', 'NullCheck'],
  ids: ['EID', 'FID'],
} as const;

/** Filter 1.0.0 element names (WFS 1.0.0 capabilities: one empty element per operator). */
export const FILTER100_OPERATORS = {
  spatial: ['BBOX', 'Equals', 'Disjoint', 'Intersect', 'Touches', 'Crosses', 'Within', 'Contains', 'Overlaps', 'Beyond', 'DWithin'],
  comparison: ['Simple_Comparisons', 'Like', 'Between', 'NullCheck'],
} as const;

/** Appends fes:Filter_Capabilities (FES 2.0, for WFS 2.0 capabilities) under the given element. */
export function writeFes20FilterCapabilities(parent: XMLBuilder): XMLBuilder {
  // Operand names are QNames (gml:Envelope): the gml prefix must be in scope where they are written.
  const caps = parent
    .ele(FES20_NS, 'fes:Filter_Capabilities')
    .att(XMLNS, 'xmlns:gml', 'http://www.opengis.net/gml/3.2')
    .att(XMLNS, 'xmlns:ows', OWS11_NS);
  const conf = caps.ele(FES20_NS, 'fes:Conformance');
  for (const c of FES20_CONFORMANCE) {
    const k = conf.ele(FES20_NS, 'fes:Constraint').att('name', c.name);
    k.ele(OWS11_NS, 'ows:NoValues');
    k.ele(OWS11_NS, 'ows:DefaultValue').txt(c.value ? 'TRUE' : 'FALSE');
  }
  const ids = caps.ele(FES20_NS, 'fes:Id_Capabilities');
  for (const r of FES20_OPERATORS.resourceIdentifiers) ids.ele(FES20_NS, 'fes:ResourceIdentifier').att('name', r);
  const scalar = caps.ele(FES20_NS, 'fes:Scalar_Capabilities');
  scalar.ele(FES20_NS, 'fes:LogicalOperators');
  const cmp = scalar.ele(FES20_NS, 'fes:ComparisonOperators');
  for (const o of FES20_OPERATORS.comparison) cmp.ele(FES20_NS, 'fes:ComparisonOperator').att('name', o);
  const spatial = caps.ele(FES20_NS, 'fes:Spatial_Capabilities');
  const gops = spatial.ele(FES20_NS, 'fes:GeometryOperands');
  for (const g of FES20_OPERATORS.geometryOperands) gops.ele(FES20_NS, 'fes:GeometryOperand').att('name', g);
  const sops = spatial.ele(FES20_NS, 'fes:SpatialOperators');
  for (const o of FES20_OPERATORS.spatial) sops.ele(FES20_NS, 'fes:SpatialOperator').att('name', o);
  const temporal = caps.ele(FES20_NS, 'fes:Temporal_Capabilities');
  const tops = temporal.ele(FES20_NS, 'fes:TemporalOperands');
  for (const t of FES20_OPERATORS.temporalOperands) tops.ele(FES20_NS, 'fes:TemporalOperand').att('name', t);
  const tos = temporal.ele(FES20_NS, 'fes:TemporalOperators');
  for (const o of FES20_OPERATORS.temporal) tos.ele(FES20_NS, 'fes:TemporalOperator').att('name', o);
  return caps;
}

/** Appends ogc:Filter_Capabilities (Filter 1.1.0, for WFS 1.1.0 capabilities) under the given element. */
export function writeFilter110Capabilities(parent: XMLBuilder): XMLBuilder {
  const caps = parent.ele(OGC_NS, 'ogc:Filter_Capabilities').att(XMLNS, 'xmlns:gml', 'http://www.opengis.net/gml');
  const spatial = caps.ele(OGC_NS, 'ogc:Spatial_Capabilities');
  const gops = spatial.ele(OGC_NS, 'ogc:GeometryOperands');
  for (const g of FILTER110_OPERATORS.geometryOperands) gops.ele(OGC_NS, 'ogc:GeometryOperand').txt(g);
  const sops = spatial.ele(OGC_NS, 'ogc:SpatialOperators');
  for (const o of FILTER110_OPERATORS.spatial) sops.ele(OGC_NS, 'ogc:SpatialOperator').att('name', o);
  const scalar = caps.ele(OGC_NS, 'ogc:Scalar_Capabilities');
  scalar.ele(OGC_NS, 'ogc:LogicalOperators');
  const cmp = scalar.ele(OGC_NS, 'ogc:ComparisonOperators');
  for (const o of FILTER110_OPERATORS.comparison) cmp.ele(OGC_NS, 'ogc:ComparisonOperator').txt(o);
  const ids = caps.ele(OGC_NS, 'ogc:Id_Capabilities');
  for (const i of FILTER110_OPERATORS.ids) ids.ele(OGC_NS, `ogc:${i}`);
  return caps;
}

/** Appends ogc:Filter_Capabilities (Filter 1.0.0, for WFS 1.0.0 capabilities) under the given element. */
export function writeFilter100Capabilities(parent: XMLBuilder): XMLBuilder {
  const caps = parent.ele(OGC_NS, 'ogc:Filter_Capabilities');
  const sops = caps.ele(OGC_NS, 'ogc:Spatial_Capabilities').ele(OGC_NS, 'ogc:Spatial_Operators');
  for (const o of FILTER100_OPERATORS.spatial) sops.ele(OGC_NS, `ogc:${o}`);
  const scalar = caps.ele(OGC_NS, 'ogc:Scalar_Capabilities');
  scalar.ele(OGC_NS, 'ogc:Logical_Operators');
  const cmp = scalar.ele(OGC_NS, 'ogc:Comparison_Operators');
  for (const o of FILTER100_OPERATORS.comparison) cmp.ele(OGC_NS, `ogc:${o}`);
  return caps;
}

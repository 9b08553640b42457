import type { XMLBuilder } from '../xml/document';
import { NS, XMLNS_NS } from '../xml/namespaces';

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
    .ele(NS.fes, 'fes:Filter_Capabilities')
    .att(XMLNS_NS, 'xmlns:gml', NS.gml)
    .att(XMLNS_NS, 'xmlns:ows', NS.ows);
  const conf = caps.ele(NS.fes, 'fes:Conformance');
  for (const c of FES20_CONFORMANCE) {
    const k = conf.ele(NS.fes, 'fes:Constraint').att('name', c.name);
    k.ele(NS.ows, 'ows:NoValues');
    k.ele(NS.ows, 'ows:DefaultValue').txt(c.value ? 'TRUE' : 'FALSE');
  }
  const ids = caps.ele(NS.fes, 'fes:Id_Capabilities');
  for (const r of FES20_OPERATORS.resourceIdentifiers) ids.ele(NS.fes, 'fes:ResourceIdentifier').att('name', r);
  const scalar = caps.ele(NS.fes, 'fes:Scalar_Capabilities');
  scalar.ele(NS.fes, 'fes:LogicalOperators');
  const cmp = scalar.ele(NS.fes, 'fes:ComparisonOperators');
  for (const o of FES20_OPERATORS.comparison) cmp.ele(NS.fes, 'fes:ComparisonOperator').att('name', o);
  const spatial = caps.ele(NS.fes, 'fes:Spatial_Capabilities');
  const gops = spatial.ele(NS.fes, 'fes:GeometryOperands');
  for (const g of FES20_OPERATORS.geometryOperands) gops.ele(NS.fes, 'fes:GeometryOperand').att('name', g);
  const sops = spatial.ele(NS.fes, 'fes:SpatialOperators');
  for (const o of FES20_OPERATORS.spatial) sops.ele(NS.fes, 'fes:SpatialOperator').att('name', o);
  const temporal = caps.ele(NS.fes, 'fes:Temporal_Capabilities');
  const tops = temporal.ele(NS.fes, 'fes:TemporalOperands');
  for (const t of FES20_OPERATORS.temporalOperands) tops.ele(NS.fes, 'fes:TemporalOperand').att('name', t);
  const tos = temporal.ele(NS.fes, 'fes:TemporalOperators');
  for (const o of FES20_OPERATORS.temporal) tos.ele(NS.fes, 'fes:TemporalOperator').att('name', o);
  return caps;
}

/** Appends ogc:Filter_Capabilities (Filter 1.1.0, for WFS 1.1.0 capabilities) under the given element. */
export function writeFilter110Capabilities(parent: XMLBuilder): XMLBuilder {
  const caps = parent.ele(NS.ogc, 'ogc:Filter_Capabilities').att(XMLNS_NS, 'xmlns:gml', NS.gml311);
  const spatial = caps.ele(NS.ogc, 'ogc:Spatial_Capabilities');
  const gops = spatial.ele(NS.ogc, 'ogc:GeometryOperands');
  for (const g of FILTER110_OPERATORS.geometryOperands) gops.ele(NS.ogc, 'ogc:GeometryOperand').txt(g);
  const sops = spatial.ele(NS.ogc, 'ogc:SpatialOperators');
  for (const o of FILTER110_OPERATORS.spatial) sops.ele(NS.ogc, 'ogc:SpatialOperator').att('name', o);
  const scalar = caps.ele(NS.ogc, 'ogc:Scalar_Capabilities');
  scalar.ele(NS.ogc, 'ogc:LogicalOperators');
  const cmp = scalar.ele(NS.ogc, 'ogc:ComparisonOperators');
  for (const o of FILTER110_OPERATORS.comparison) cmp.ele(NS.ogc, 'ogc:ComparisonOperator').txt(o);
  const ids = caps.ele(NS.ogc, 'ogc:Id_Capabilities');
  for (const i of FILTER110_OPERATORS.ids) ids.ele(NS.ogc, `ogc:${i}`);
  return caps;
}

/** Appends ogc:Filter_Capabilities (Filter 1.0.0, for WFS 1.0.0 capabilities) under the given element. */
export function writeFilter100Capabilities(parent: XMLBuilder): XMLBuilder {
  const caps = parent.ele(NS.ogc, 'ogc:Filter_Capabilities');
  const sops = caps.ele(NS.ogc, 'ogc:Spatial_Capabilities').ele(NS.ogc, 'ogc:Spatial_Operators');
  for (const o of FILTER100_OPERATORS.spatial) sops.ele(NS.ogc, `ogc:${o}`);
  const scalar = caps.ele(NS.ogc, 'ogc:Scalar_Capabilities');
  scalar.ele(NS.ogc, 'ogc:Logical_Operators');
  const cmp = scalar.ele(NS.ogc, 'ogc:Comparison_Operators');
  for (const o of FILTER100_OPERATORS.comparison) cmp.ele(NS.ogc, `ogc:${o}`);
  return caps;
}

/**
 * EDR parameters are the catalogue's observed properties, keyed by their code (TEMP, PSAL…): the
 * collection's `parameter_names` (label, description, unit with its UCUM code and symbol, the CF
 * standard name's vocabulary URI as observedProperty, measurementType) and the `parameter-name` values
 * a query may send.
 */
import type { Catalogue, ObservedProperty } from '../../catalog/model';
import { UCUM_URI, unitNames } from '../../catalog/units';
import { invalidParam } from '../../ows/errors';

/**
 * How a property's values are obtained, by CF standard name: wave heights and periods are statistics of
 * a wave record (the significant height and mean period are means over it, the maximum height its
 * maximum); everything else is a sample at the observation time. The record's length is not in the
 * catalogue, so no duration is given.
 */
const METHODS: [RegExp, string][] = [
  [/^sea_surface_wave_maximum_/, 'maximum'],
  [/^sea_surface_wave_(significant_height|mean_period)/, 'mean'],
];

/** The EDR measurementType of a property. */
export function measurementType(p: ObservedProperty): { method: string; duration?: string } {
  const hit = METHODS.find(([re]) => re.test(p.standardName));
  return hit ? { method: hit[1] } : { method: 'instantaneous', duration: 'PT0S' };
}

/** The properties that have at least one dataset, in code order: the collection's parameters. */
export function publishedProperties(cat: Catalogue): ObservedProperty[] {
  const ids = new Set(cat.datasets.map((d) => d.property.id));
  return cat.properties.filter((p) => ids.has(p.id)).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** One parameter_names member. */
export function parameterName(p: ObservedProperty): Record<string, unknown> {
  const unit = unitNames(p.uom);
  return {
    type: 'Parameter',
    id: p.code,
    label: p.label,
    description: `${p.label} (CF standard name ${p.standardName}); every value comes with its OceanSITES quality flag (${p.code}_QC in CoverageJSON, qc elsewhere).`,
    dataType: 'float',
    unit: { label: unit.label, symbol: { value: p.uom, type: UCUM_URI } },
    observedProperty: { id: p.vocabularyUri, label: p.standardName },
    measurementType: measurementType(p),
  };
}

/** The collection's parameter_names. */
export function parameterNames(cat: Catalogue): Record<string, unknown> {
  return Object.fromEntries(publishedProperties(cat).map((p) => [p.code, parameterName(p)]));
}

/** `parameter-name=A,B`: the properties named (each a parameter_names key); absent → undefined (all); unknown → 400. */
export function parseParameterNames(value: string | undefined, cat: Catalogue): Set<string> | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw invalidParam('parameter-name', 'parameter-name is empty');
  const known = publishedProperties(cat).map((p) => p.code);
  for (const n of names) {
    if (!known.includes(n)) throw invalidParam('parameter-name', `Unknown parameter-name "${n.slice(0, 80)}"; this collection's parameters: ${known.join(', ')}`);
  }
  return new Set(names);
}

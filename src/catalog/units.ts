/**
 * The UCUM codes the catalogue stores, with the name and printed symbol documents show beside the
 * code (EDR parameter_names, CoverageJSON units). An unknown code is shown as itself.
 */
import { lookupTable } from '../util/lookup';

/** The UCUM unit system URI (the `type` of a CoverageJSON/EDR unit symbol). */
export const UCUM_URI = 'http://www.opengis.net/def/uom/UCUM/';

export interface UnitNames {
  /** Name in English (`degree Celsius`). */
  label: string;
  /** Printed symbol (`°C`). */
  symbol: string;
}

const UNITS = lookupTable<UnitNames>({
  Cel: { label: 'degree Celsius', symbol: '°C' },
  K: { label: 'kelvin', symbol: 'K' },
  m: { label: 'metre', symbol: 'm' },
  cm: { label: 'centimetre', symbol: 'cm' },
  s: { label: 'second', symbol: 's' },
  dbar: { label: 'decibar', symbol: 'dbar' },
  bar: { label: 'bar', symbol: 'bar' },
  hPa: { label: 'hectopascal', symbol: 'hPa' },
  '1': { label: 'dimensionless (practical salinity)', symbol: '1' },
  '[psu]': { label: 'practical salinity unit', symbol: 'psu' },
  'm/s': { label: 'metre per second', symbol: 'm/s' },
  deg: { label: 'degree', symbol: '°' },
  '%': { label: 'percent', symbol: '%' },
  'mg/m3': { label: 'milligram per cubic metre', symbol: 'mg/m³' },
  'umol/kg': { label: 'micromole per kilogram', symbol: 'µmol/kg' },
  'S/m': { label: 'siemens per metre', symbol: 'S/m' },
});

/** Name and symbol of a stored UCUM code (the code itself when it is not in the table). */
export function unitNames(ucum: string): UnitNames {
  return UNITS[ucum] ?? { label: ucum, symbol: ucum };
}

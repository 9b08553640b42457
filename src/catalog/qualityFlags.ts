/**
 * The quality flag scale of the `qc` column: OceanSITES reference table 2 (docs/data-model.md), the
 * values and meanings the NetCDF export writes as flag attributes and CoverageJSON as categories.
 */

/** The flag values, 0-9. */
export const QC_FLAG_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The meaning of each flag value, in OceanSITES spelling (index = flag). */
export const QC_FLAG_MEANINGS = [
  'no_qc_performed',
  'good_data',
  'probably_good_data',
  'bad_data_that_are_potentially_correctable',
  'bad_data',
  'value_changed',
  'not_used',
  'nominal_value',
  'interpolated_value',
  'missing_value',
];

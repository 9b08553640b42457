import type { FeatureTypeDef } from '../catalog/types';
import type { Filter } from '../fes/ast';
import { compileFilter, resourceIdsFor } from '../fes/compile';
import type { SqlParams } from '../query/sqlParams';
import { resourceIdCondition } from './featureQuery';

/** Compiles one filter on a feature type to a SQL condition (values as parameters), through src/fes. */
export function filterSql(filter: Filter, type: FeatureTypeDef, params: SqlParams): string {
  // A filter that is only fes:ResourceId uses the type's indexed id lookup (an Observation id maps onto
  // the primary key; comparing the computed gml:id would scan every row).
  if (filter.op === 'ResourceId') return resourceIdCondition(type, resourceIdsFor(type, filter.ids).own, params);
  return compileFilter(filter, type, params);
}

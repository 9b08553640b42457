/**
 * The typed query every front-end validates its request into, shared by the query modules: a spatial box
 * and a time filter (the series selection and the feature query build on these; see observations.ts and
 * features.ts). Nothing in here is request text: values are bound through SqlParams when compiled.
 */

/** A box in a supported CRS (axis order already x/y), e.g. the SOS spatialFilter. */
export interface BoxFilter {
  minx: number;
  miny: number;
  maxx: number;
  maxy: number;
  srid: number;
}

/** A restriction on observation time (epoch ms); latest/first pick one observation per series. */
export type TimeFilter =
  | { op: 'During'; start: number; end: number }
  | { op: 'TEquals'; at: number }
  | { op: 'After'; at: number }
  | { op: 'Before'; at: number }
  | { op: 'latest' }
  | { op: 'first' };

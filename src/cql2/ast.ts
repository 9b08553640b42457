import type { Loc } from './errors';

/**
 * CQL2 as read, before it meets the catalogue: the one tree both encodings produce (parseText.ts,
 * parseJson.ts), close to cql2-json. toFes.ts resolves its property names and turns it into the FES
 * AST. Every node keeps where it came from, for error messages.
 */

export interface PropertyNode {
  kind: 'property';
  name: string;
  at: Loc;
}

/** An instant: a timestamp (normalised ISO UTC) or a date (YYYY-MM-DD, a whole UTC day). */
export type InstantNode = { kind: 'timestamp'; iso: string; at: Loc } | { kind: 'date'; date: string; at: Loc };

export type ScalarNode =
  | PropertyNode
  | InstantNode
  | { kind: 'string'; value: string; at: Loc }
  /** The number as written (text), so long integers stay exact. */
  | { kind: 'number'; text: string; at: Loc }
  | { kind: 'boolean'; value: boolean; at: Loc }
  | { kind: 'casei'; arg: ScalarNode; at: Loc };

/** One end of an interval: an instant, a property, or `'..'` (open). */
export type BoundNode = PropertyNode | InstantNode | { kind: 'open'; at: Loc };

export type TemporalNode = PropertyNode | InstantNode | { kind: 'interval'; begin: BoundNode; end: BoundNode; at: Loc };

export type GeometryType = 'Point' | 'LineString' | 'Polygon' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon';

/** A geometry literal with its coordinates as written (axis order of the filter CRS, not yet checked). */
export type GeometryNode =
  | { kind: 'geometry'; type: GeometryType; coordinates: unknown; at: Loc }
  /** BBOX(w, s, e, n) or BBOX(w, s, zmin, e, n, zmax), in the axis order of the filter CRS. */
  | { kind: 'bbox'; values: number[]; at: Loc };

export type SpatialOperandNode = PropertyNode | GeometryNode;

export type CompareOp = '=' | '<>' | '<' | '>' | '<=' | '>=';
export type SpatialFn = 'S_INTERSECTS' | 'S_EQUALS' | 'S_DISJOINT' | 'S_TOUCHES' | 'S_WITHIN' | 'S_OVERLAPS' | 'S_CROSSES' | 'S_CONTAINS' | 'S_DWITHIN';
export type TemporalFn =
  | 'T_AFTER' | 'T_BEFORE' | 'T_CONTAINS' | 'T_DISJOINT' | 'T_DURING' | 'T_EQUALS' | 'T_FINISHEDBY' | 'T_FINISHES'
  | 'T_INTERSECTS' | 'T_MEETS' | 'T_METBY' | 'T_OVERLAPPEDBY' | 'T_OVERLAPS' | 'T_STARTEDBY' | 'T_STARTS';

/** The spatial functions read (CQL2's eight, and S_DWITHIN as an extension). */
export const SPATIAL_FNS: readonly SpatialFn[] = ['S_INTERSECTS', 'S_EQUALS', 'S_DISJOINT', 'S_TOUCHES', 'S_WITHIN', 'S_OVERLAPS', 'S_CROSSES', 'S_CONTAINS', 'S_DWITHIN'];
/** The fifteen temporal functions of CQL2. */
export const TEMPORAL_FNS: readonly TemporalFn[] = [
  'T_AFTER', 'T_BEFORE', 'T_CONTAINS', 'T_DISJOINT', 'T_DURING', 'T_EQUALS', 'T_FINISHEDBY', 'T_FINISHES',
  'T_INTERSECTS', 'T_MEETS', 'T_METBY', 'T_OVERLAPPEDBY', 'T_OVERLAPS', 'T_STARTEDBY', 'T_STARTS',
];

export type Expr =
  | { kind: 'and' | 'or'; args: Expr[]; at: Loc }
  | { kind: 'not'; arg: Expr; at: Loc }
  | { kind: 'bool'; value: boolean; at: Loc }
  | { kind: 'compare'; op: CompareOp; left: ScalarNode; right: ScalarNode; at: Loc }
  | { kind: 'like'; value: ScalarNode; pattern: ScalarNode; at: Loc }
  | { kind: 'between'; value: ScalarNode; low: ScalarNode; high: ScalarNode; at: Loc }
  | { kind: 'in'; value: ScalarNode; list: ScalarNode[]; at: Loc }
  | { kind: 'isNull'; value: ScalarNode; at: Loc }
  | { kind: 'spatial'; fn: SpatialFn; args: [SpatialOperandNode, SpatialOperandNode]; distance?: { value: number; units: string }; at: Loc }
  | { kind: 'temporal'; fn: TemporalFn; args: [TemporalNode, TemporalNode]; at: Loc };

/** Nesting deeper than this (parentheses, NOT, and/or objects, CASEI) is refused: recursion stays shallow. */
export const MAX_DEPTH = 64;
/** Longest filter text (cql2-text, or cql2-json as a string), in UTF-16 units. */
export const MAX_LENGTH = 256 * 1024;

/** The filter layer's public surface: parse (XML or KVP) → AST → SQL, plus capabilities data. */
export * from './ast';
export { parseFilterXml } from './parseFes20';
export { parseFilter110 } from './parseFilter110';
export { parseBboxKvp, parseResourceIdKvp, parseFilterKvp } from './kvp';
export { compileFilter, resolveValueReference, resourceIdsFor, resourceIdSql, likePattern, type ResolvedRef } from './compile';
export * from './capabilities';

/**
 * A frozen lookup table with no prototype. Tables keyed by client text must not inherit
 * Object.prototype, or "__proto__", "constructor" and "toString" would match a member.
 */
export function lookupTable<V>(entries: Record<string, V>): Readonly<Record<string, V | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, V>, entries));
}

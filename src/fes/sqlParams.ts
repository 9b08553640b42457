import { assertSafeText } from '../util/text';

/** A value bound to a `$n` placeholder; never spliced into SQL text. */
export type SqlValue = string | number | boolean | null | string[];

/**
 * Collects the parameter values of one statement. Shared by every fragment of a query so the
 * placeholders number up consistently (the WFS layer may add its own values before or after the filter).
 */
export class SqlParams {
  readonly values: SqlValue[];

  constructor(initial: SqlValue[] = []) {
    this.values = [...initial];
  }

  /** Appends a value and returns its placeholder (`$n`). */
  add(value: SqlValue): string {
    // PostgreSQL text cannot hold NUL; catching it here keeps a driver error from ever reaching a client.
    const texts = Array.isArray(value) ? value : [value];
    for (const t of texts) if (typeof t === 'string') assertSafeText(t, 'filter');
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

import { assertSafeText } from '../util/text';

/** A value bound to a `$n` placeholder; never spliced into SQL text. */
export type SqlValue = string | number | boolean | null | (string | null)[] | (number | null)[];

/** One statement ready to run: our own SQL text and the values of its placeholders. */
export interface Sql {
  text: string;
  values: SqlValue[];
}

/**
 * Collects the parameter values of one statement: the one way ReefGate binds values. Shared by every
 * fragment of a query so the placeholders number up consistently (a protocol layer may add its own
 * values before or after the filter); nothing numbers `$n` by hand.
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

  /** A copy holding the same values, for a second statement that shares the first one's leading placeholders. */
  fork(): SqlParams {
    return new SqlParams(this.values);
  }

  /** The statement of this text with these values. */
  sql(text: string): Sql {
    return { text, values: this.values };
  }
}

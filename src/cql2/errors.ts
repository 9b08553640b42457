import { OwsError } from '../ows/errors';
import { assertSafeText } from '../util/text';

/** Where a node came from: a 0-based UTF-16 offset into cql2-text, or a JSON pointer into cql2-json. */
export type Loc = number | string;

/**
 * The one error of the CQL2 parser: an OwsError (InvalidParameterValue, 400) so every front-end
 * renders it like any other request error, carrying where the problem is for clients that point at
 * it: `position` (1-based, in characters) for cql2-text, `pointer` (JSON pointer) for cql2-json.
 */
export class Cql2Error extends OwsError {
  readonly position?: number;
  readonly pointer?: string;

  constructor(message: string, where: { position?: number; pointer?: string } = {}, locator = 'filter') {
    super('InvalidParameterValue', locator, message);
    this.name = 'Cql2Error';
    this.position = where.position;
    this.pointer = where.pointer;
  }
}

/** The filter being read, so any stage (lexer, parsers, translation) can report a location the same way. */
export class Source {
  constructor(
    readonly lang: 'cql2-text' | 'cql2-json',
    private readonly text = '',
    /** The request parameter the text came from (`filter`; `coords` for a WKT geometry of OGC API – EDR). */
    readonly param = 'filter',
  ) {}

  /** `filter: <what> at position 17, expected <expected>`; position counts characters (code points), from 1. */
  error(at: Loc | undefined, what: string, expected?: string): Cql2Error {
    const tail = expected ? `, expected ${expected}` : '';
    if (typeof at === 'number') {
      const position = [...this.text.slice(0, at)].length + 1;
      return new Cql2Error(`${this.param}: ${what} at position ${position}${tail}`, { position }, this.param);
    }
    if (typeof at === 'string') {
      return new Cql2Error(`${this.param}: ${what} at ${at === '' ? 'the top level' : at}${tail}`, { pointer: at }, this.param);
    }
    return new Cql2Error(`${this.param}: ${what}${tail}`, {}, this.param);
  }

  /** Refuses NUL and lone surrogates (PostgreSQL text cannot hold them) where they occur, before SQL is built. */
  safeText(value: string, at: Loc): string {
    try {
      return assertSafeText(value, 'filter');
    } catch {
      throw this.error(at, 'a NUL character or an unpaired surrogate is not allowed');
    }
  }
}

/** Quotes client text for a message, shortened so an error never echoes a whole filter. */
export function quote(text: string, max = 40): string {
  const t = [...text];
  return `'${t.length > max ? `${t.slice(0, max).join('')}…` : text}'`;
}

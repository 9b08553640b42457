import { lookupTable } from '../util/lookup';
import { quote, Source } from './errors';

/**
 * cql2-text tokens. Keywords are identifiers (the parser compares them case-insensitively), so a
 * property may share a name with a function (`date`) as long as no `(` follows it.
 */
export interface Token {
  kind: 'ident' | 'quoted' | 'string' | 'number' | 'punct' | 'eof';
  /** Identifier or punctuation as written, string contents unescaped, number as written. */
  value: string;
  /** 0-based offset of the token's first character. */
  at: number;
}

const SPACE = /[\s\u0085]+/y;
// BNF identifierStart / identifierPart, with Unicode classes standing in for its code-point ranges.
const IDENT = /[\p{L}\p{Nl}_:][\p{L}\p{Nl}\p{N}\p{M}_:.\u203F\u2040]*/uy;
// signedNumericLiteral: the sign belongs to the number (CQL2 without arithmetic has no binary minus).
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const CONTROL = lookupTable({ a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r' });
const PUNCT = new Set(['(', ')', ',', '=', '<', '>']);

function match(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/** Splits cql2-text into tokens; an unknown character or an unterminated string is a Cql2Error at its position. */
export function tokenize(text: string, src: Source): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const space = match(SPACE, text, i);
    if (space) {
      i += space.length;
      continue;
    }
    const ch = text[i];
    if (ch === "'") {
      // '' and \' stand for a quote, \n \t etc. for control characters (/req/cql2-text/escaping);
      // any other backslash pair (\% \_ \\) is kept as written for LIKE to read as its escape.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw src.error(i, 'unterminated string', "a closing quote (')");
        const c = text[j];
        if (c === "'" && text[j + 1] === "'") {
          value += "'";
          j += 2;
        } else if (c === '\\' && j + 1 < text.length) {
          const n = text[j + 1];
          value += n === "'" ? "'" : (CONTROL[n] ?? c + n);
          j += 2;
        } else if (c === "'") {
          j++;
          break;
        } else {
          value += c;
          j++;
        }
      }
      out.push({ kind: 'string', value: src.safeText(value, i), at: i });
      i = j;
      continue;
    }
    if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw src.error(i, 'unterminated quoted property name', 'a closing double quote (")');
      if (end === i + 1) throw src.error(i, 'empty quoted property name');
      out.push({ kind: 'quoted', value: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const num = match(NUMBER, text, i);
    if (num) {
      out.push({ kind: 'number', value: num, at: i });
      i += num.length;
      continue;
    }
    const ident = match(IDENT, text, i);
    if (ident) {
      out.push({ kind: 'ident', value: ident, at: i });
      i += ident.length;
      continue;
    }
    if (PUNCT.has(ch)) {
      out.push({ kind: 'punct', value: ch, at: i });
      i++;
      continue;
    }
    const cp = String.fromCodePoint(text.codePointAt(i)!);
    const hint = '+-*/^%'.includes(cp) ? ' (arithmetic is not supported)' : '';
    throw src.error(i, `unexpected character ${quote(cp)}${hint}`);
  }
  out.push({ kind: 'eof', value: '', at: text.length });
  return out;
}

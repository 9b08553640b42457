/*
 * A streaming reader of multipart/form-data (RFC 7578) request bodies, for POST /ingest: each part's body
 * is handed on as it arrives, so a part of gigabytes passes with a few chunks in memory. Only what a
 * form upload uses is read: Content-Disposition's name and filename, and Content-Type.
 */

/** A malformed multipart body (400). */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface MultipartPart {
  /** The form field name (Content-Disposition name). */
  name: string;
  filename?: string;
  contentType?: string;
  /** The part's bytes; read it to the end before asking for the next part. */
  body: AsyncIterable<Buffer>;
}

/** Longest header block of one part: form parts carry two or three short headers. */
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a multipart/form-data Content-Type, or undefined when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]*)"|([^\s;"]+))/i.exec(contentType);
  const b = m ? (m[1] ?? m[2]) : undefined;
  // RFC 2046: 1-70 characters of a restricted set, not ending in a space.
  if (!b || b.length > 70 || !/^[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]$/.test(b)) throw new MultipartError('multipart/form-data without a valid boundary parameter');
  return b;
}

/** The parts of a multipart body, one after the other. */
export async function* multipartParts(body: AsyncIterable<Buffer>, boundary: string): AsyncGenerator<MultipartPart> {
  const src = body[Symbol.asyncIterator]();
  // The leading CRLF lets the first delimiter (at the very start of the body) match like the others.
  let buf: Buffer = Buffer.from('\r\n');
  let eof = false;
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fill = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await src.next();
    if (r.done) {
      eof = true;
      return false;
    }
    buf = buf.length ? Buffer.concat([buf, r.value]) : r.value;
    return true;
  };
  /** Waits until buf holds n bytes (false at the end of the body). */
  const need = async (n: number): Promise<boolean> => {
    while (buf.length < n) if (!(await fill())) return false;
    return true;
  };

  // Preamble: anything before the first delimiter is ignored.
  for (;;) {
    const i = buf.indexOf(delimiter);
    if (i >= 0) {
      buf = buf.subarray(i + delimiter.length);
      break;
    }
    buf = buf.subarray(Math.max(0, buf.length - delimiter.length));
    if (!(await fill())) throw new MultipartError('no multipart boundary in the body');
  }

  for (;;) {
    // After a delimiter: "--" closes the body; otherwise optional blanks, then CRLF and the part's headers.
    if (!(await need(2))) throw new MultipartError('the body ends inside a multipart delimiter');
    if (buf[0] === 0x2d && buf[1] === 0x2d) return;
    let crlf: number;
    while ((crlf = buf.indexOf(CRLF)) < 0) {
      if (buf.length > 256 || !(await fill())) throw new MultipartError('malformed multipart delimiter line');
    }
    if (!/^[ \t]*$/.test(buf.subarray(0, crlf).toString('latin1'))) throw new MultipartError('malformed multipart delimiter line');
    buf = buf.subarray(crlf + 2);
    let end: number;
    // Headers end at an empty line; a part without headers starts with that empty line at once.
    for (;;) {
      if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
        end = -2;
        break;
      }
      end = buf.indexOf(HEADER_END);
      if (end >= 0) break;
      if (buf.length > MAX_HEADER_BYTES) throw new MultipartError(`multipart part headers longer than ${MAX_HEADER_BYTES} bytes`);
      if (!(await fill())) throw new MultipartError('the body ends inside multipart part headers');
    }
    const headers = parseHeaders(end < 0 ? '' : buf.subarray(0, end).toString('utf8'));
    buf = buf.subarray(end + 4);
    let finished = false;
    async function* partBody(): AsyncGenerator<Buffer> {
      for (;;) {
        const i = buf.indexOf(delimiter);
        if (i >= 0) {
          const chunk = buf.subarray(0, i);
          buf = buf.subarray(i + delimiter.length);
          finished = true;
          if (chunk.length) yield chunk;
          return;
        }
        // Keep a tail that may be the start of a delimiter split across chunks.
        const keep = delimiter.length - 1;
        if (buf.length > keep) {
          const chunk = buf.subarray(0, buf.length - keep);
          buf = Buffer.from(buf.subarray(buf.length - keep));
          yield chunk;
        }
        if (!(await fill())) throw new MultipartError('the body ends inside a part (no closing boundary): upload incomplete');
      }
    }
    const part = partBody();
    yield { ...headers, body: part };
    // The reader left part of the body unread: skip it to reach the next part.
    if (!finished) for await (const _ of part) void _;
  }
}

function parseHeaders(block: string): { name: string; filename?: string; contentType?: string } {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) throw new MultipartError('malformed multipart part header');
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value.toLowerCase();
    else if (key === 'content-disposition') {
      if (!/^form-data\s*(;|$)/i.test(value)) throw new MultipartError('a multipart part is not form-data');
      name = param(value, 'name');
      filename = param(value, 'filename');
    }
  }
  if (name === undefined) throw new MultipartError('a multipart part has no Content-Disposition name');
  return { name, filename, contentType };
}

/** A parameter of a header value (quoted, with backslash escapes, or a bare token). */
function param(value: string, key: string): string | undefined {
  const m = new RegExp(`;\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

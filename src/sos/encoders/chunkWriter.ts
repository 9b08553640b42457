import type { Sink } from '../../ows/types';

/** Bytes gathered before one socket write: large enough to amortise syscalls, small enough to bound memory. */
const CHUNK_CHARS = 64 * 1024;

/** Buffers small strings into large chunks and forwards them to the sink, awaiting backpressure. */
export class ChunkWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly sink: Sink) {}

  /** Queues text; flushes (and waits for the socket) once the buffer is large. */
  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= CHUNK_CHARS) await this.flush();
  }

  /** Sends whatever is buffered. */
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.sink.write(chunk);
  }
}

const XML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML content and attribute values. */
export function xmlEscape(s: string | number | null | undefined): string {
  if (s === null || s === undefined) return '';
  return String(s).replace(/[&<>"']/g, (c) => XML_ESC[c]);
}

/** Quotes a CSV field only when needed (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Turns any string into a valid, stable NCName fragment for gml:id values. */
export function ncnamePart(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

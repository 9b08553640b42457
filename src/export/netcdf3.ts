/**
 * A small NetCDF-3 writer (64-bit offset format, "CDF-2"), written here because no maintained npm
 * package writes NetCDF (netcdfjs only reads; netcdf4 is an unmaintained native binding).
 * Format: https://docs.unidata.ucar.edu/netcdf-c/current/file_format_specifications.html
 *
 * Non-record variables are written with the header; record variables (first dimension unlimited)
 * are appended one batch at a time, so a series of any length streams through in constant memory.
 * The record count in the header is patched when the file is finished.
 */
import fs from 'node:fs';

export type NcType = 'byte' | 'char' | 'short' | 'int' | 'float' | 'double';

const TYPE_CODE: Record<NcType, number> = { byte: 1, char: 2, short: 3, int: 4, float: 5, double: 6 };
const TYPE_SIZE: Record<NcType, number> = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };

const NC_DIMENSION = 0x0a;
const NC_VARIABLE = 0x0b;
const NC_ATTRIBUTE = 0x0c;

/** An attribute: text (NC_CHAR) or numbers of a given type. */
export type NcAttr = string | { type: Exclude<NcType, 'char'>; values: number[] };
export type NcAttrs = Record<string, NcAttr>;

/** A dimension; `size: 'unlimited'` makes it the record dimension (at most one, and it comes first in variables). */
export interface NcDim {
  name: string;
  size: number | 'unlimited';
}

/** A variable: name, type, dimension names, attributes; `data` for non-record variables. */
export interface NcVar {
  name: string;
  type: NcType;
  dims: string[];
  attrs: NcAttrs;
  data?: ArrayLike<number> | string;
}

export interface NcLayout {
  dims: NcDim[];
  globalAttrs: NcAttrs;
  vars: NcVar[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.@+-]*$/;
const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Growable big-endian byte buffer for the header. */
class Bytes {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  int32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.push(b);
  }
  uint32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.push(b);
  }
  int64(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    this.push(b);
  }
  padded(b: Buffer, fill = 0): void {
    this.push(b);
    if (pad4(b.length)) this.push(Buffer.alloc(pad4(b.length), fill));
  }
  name(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.int32(b.length);
    this.padded(b);
  }
  concat(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

/** Encodes numbers as big-endian values of a NetCDF type. */
export function encodeValues(type: Exclude<NcType, 'char'>, values: ArrayLike<number>): Buffer {
  const size = TYPE_SIZE[type];
  const b = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) writeValue(b, i * size, type, values[i]);
  return b;
}

/** Writes one big-endian value at an offset. */
export function writeValue(b: Buffer, off: number, type: Exclude<NcType, 'char'>, v: number): void {
  switch (type) {
    case 'byte':
      b.writeInt8(v, off);
      return;
    case 'short':
      b.writeInt16BE(v, off);
      return;
    case 'int':
      b.writeInt32BE(v, off);
      return;
    case 'float':
      b.writeFloatBE(v, off);
      return;
    case 'double':
      b.writeDoubleBE(v, off);
      return;
  }
}

function encodeAttrs(out: Bytes, attrs: NcAttrs): void {
  const entries = Object.entries(attrs);
  if (entries.length === 0) {
    out.int32(0);
    out.int32(0);
    return;
  }
  out.int32(NC_ATTRIBUTE);
  out.int32(entries.length);
  for (const [name, a] of entries) {
    if (!NAME_RE.test(name)) throw new Error(`invalid NetCDF attribute name "${name}"`);
    out.name(name);
    if (typeof a === 'string') {
      const b = Buffer.from(a, 'utf8');
      out.int32(TYPE_CODE.char);
      out.int32(b.length);
      out.padded(b);
    } else {
      out.int32(TYPE_CODE[a.type]);
      out.int32(a.values.length);
      out.padded(encodeValues(a.type, a.values));
    }
  }
}

interface Placed {
  v: NcVar;
  isRecord: boolean;
  /** Bytes of one record (record variables) or of the whole variable, before padding. */
  rawSize: number;
  vsize: number;
  begin: number;
}

/** Writes a NetCDF-3 file: header and fixed variables at open, then record batches, then finish(). */
export class NetcdfWriter {
  private numrecs = 0;
  private placed: Placed[] = [];
  private recordVars: Placed[] = [];
  /** Size of one whole record (all record variables), as laid out on disk. */
  readonly recordSize: number;
  private constructor(
    private fh: fs.promises.FileHandle,
    private layout: NcLayout,
    placed: Placed[],
  ) {
    this.placed = placed;
    this.recordVars = placed.filter((p) => p.isRecord);
    // A single record variable is stored without per-record padding (format spec, "Note on padding").
    this.recordSize = this.recordVars.length === 1 ? this.recordVars[0].rawSize : this.recordVars.reduce((s, p) => s + p.vsize, 0);
  }

  /** Creates the file and writes its header and all non-record variables. */
  static async create(file: string, layout: NcLayout): Promise<NetcdfWriter> {
    const { header, placed } = buildHeader(layout);
    const fh = await fs.promises.open(file, 'w');
    try {
      const parts: Buffer[] = [header];
      for (const p of placed.filter((x) => !x.isRecord)) parts.push(encodeFixed(p));
      await fh.write(Buffer.concat(parts));
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new NetcdfWriter(fh, layout, placed);
  }

  /** Record variables in on-disk order (each record holds one slice of each). */
  recordVariables(): NcVar[] {
    return this.recordVars.map((p) => p.v);
  }

  /**
   * Appends n records. `columns[i]` holds the values of the i-th record variable, one per record
   * (each record variable must have exactly one value per record: other dimensions of size 1).
   */
  async appendRecords(n: number, columns: ArrayLike<number>[]): Promise<void> {
    if (n === 0) return;
    if (columns.length !== this.recordVars.length) throw new Error('one column per record variable expected');
    const buf = Buffer.alloc(n * this.recordSize);
    let off = 0;
    const single = this.recordVars.length === 1;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < this.recordVars.length; c++) {
        const p = this.recordVars[c];
        writeValue(buf, off, p.v.type as Exclude<NcType, 'char'>, columns[c][r]);
        off += single ? p.rawSize : p.vsize;
      }
    }
    await this.fh.write(buf);
    this.numrecs += n;
  }

  /** Records written so far. */
  get records(): number {
    return this.numrecs;
  }

  /** Patches the record count into the header, flushes the file to disk and closes it. */
  async finish(): Promise<void> {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.numrecs);
    await this.fh.write(b, 0, 4, 4);
    // On disk before the caller renames it into place: a crash then leaves the old file or the new, never an empty one.
    await this.fh.sync();
    await this.fh.close();
  }

  /** Closes without finishing (on error). */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

function buildHeader(layout: NcLayout): { header: Buffer; placed: Placed[] } {
  const dimIndex = new Map<string, number>();
  layout.dims.forEach((d, i) => {
    if (!NAME_RE.test(d.name)) throw new Error(`invalid NetCDF dimension name "${d.name}"`);
    dimIndex.set(d.name, i);
  });
  const recordDim = layout.dims.find((d) => d.size === 'unlimited')?.name;
  if (layout.dims.filter((d) => d.size === 'unlimited').length > 1) throw new Error('only one unlimited dimension is allowed');

  const placed: Placed[] = layout.vars.map((v) => {
    if (!NAME_RE.test(v.name)) throw new Error(`invalid NetCDF variable name "${v.name}"`);
    v.dims.forEach((d, i) => {
      if (!dimIndex.has(d)) throw new Error(`variable ${v.name}: unknown dimension ${d}`);
      if (d === recordDim && i !== 0) throw new Error(`variable ${v.name}: the record dimension must come first`);
    });
    const isRecord = v.dims[0] !== undefined && v.dims[0] === recordDim;
    const fixedDims = isRecord ? v.dims.slice(1) : v.dims;
    const count = fixedDims.reduce((n, d) => n * (layout.dims[dimIndex.get(d)!].size as number), 1);
    if (isRecord && count !== 1) throw new Error(`record variable ${v.name}: other dimensions must have size 1`);
    const rawSize = count * TYPE_SIZE[v.type];
    return { v, isRecord, rawSize, vsize: rawSize + pad4(rawSize), begin: 0 };
  });

  // The header size does not depend on the begin values (fixed 8 bytes each in CDF-2): encode twice.
  const encode = (): Buffer => {
    const out = new Bytes();
    out.push(Buffer.from([0x43, 0x44, 0x46, 0x02])); // "CDF", version 2 = 64-bit offsets
    out.uint32(0); // numrecs, patched by finish()
    if (layout.dims.length === 0) {
      out.int32(0);
      out.int32(0);
    } else {
      out.int32(NC_DIMENSION);
      out.int32(layout.dims.length);
      for (const d of layout.dims) {
        out.name(d.name);
        out.int32(d.size === 'unlimited' ? 0 : d.size);
      }
    }
    encodeAttrs(out, layout.globalAttrs);
    if (placed.length === 0) {
      out.int32(0);
      out.int32(0);
    } else {
      out.int32(NC_VARIABLE);
      out.int32(placed.length);
      for (const p of placed) {
        out.name(p.v.name);
        out.int32(p.v.dims.length);
        for (const d of p.v.dims) out.int32(dimIndex.get(d)!);
        encodeAttrs(out, p.v.attrs);
        out.int32(TYPE_CODE[p.v.type]);
        out.int32(p.vsize);
        out.int64(p.begin);
      }
    }
    return out.concat();
  };
  const headerSize = encode().length;
  let off = headerSize;
  for (const p of placed.filter((x) => !x.isRecord)) {
    p.begin = off;
    off += p.vsize;
  }
  // Record variables follow the fixed ones; their begins are their offsets within the first record.
  const recs = placed.filter((x) => x.isRecord);
  for (const p of recs) {
    p.begin = off;
    off += recs.length === 1 ? p.rawSize : p.vsize;
  }
  return { header: encode(), placed };
}

function encodeFixed(p: Placed): Buffer {
  const { v } = p;
  if (v.data === undefined) throw new Error(`variable ${v.name}: data missing`);
  let b: Buffer;
  if (v.type === 'char') {
    b = Buffer.alloc(p.rawSize);
    Buffer.from(String(v.data), 'utf8').copy(b, 0, 0, p.rawSize);
  } else {
    if (typeof v.data === 'string' || v.data.length * TYPE_SIZE[v.type] !== p.rawSize) throw new Error(`variable ${v.name}: wrong number of values`);
    b = encodeValues(v.type, v.data);
  }
  return pad4(b.length) ? Buffer.concat([b, Buffer.alloc(pad4(b.length))]) : b;
}

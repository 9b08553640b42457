/** Bytes of `YYYY-MM-DDTHH:MM:SSZ`. */
export const ISO_TIME_BYTES = 20;

const SECONDS_PER_DAY = 86400;

/**
 * Writes epoch seconds as ISO 8601 UTC (`YYYY-MM-DDTHH:MM:SSZ`) straight into a byte buffer.
 * PostgreSQL then only sends an integer per row (timestamp_out costs it more than the whole scan), and
 * a series' consecutive rows share their day, so the calendar date is worked out once per day.
 * Years 0-9999 only (four digits), which is what timestamps of observations hold.
 */
export class IsoTimeWriter {
  private day = Number.NaN;
  /** `YYYY-MM-DDT` of `day`. */
  private readonly date = new Uint8Array(11);

  /** Writes the 20 bytes of `sec` (whole seconds since 1970-01-01T00:00:00Z) at b[o]. */
  write(b: Uint8Array, o: number, sec: number): void {
    this.put(b, o, this.secondOfDay(sec));
  }

  /**
   * Writes the 20 bytes of `sec` at b[o] and again at b[o2] (O&M 2.0's phenomenon and result times):
   * the day is looked up once, and storing the bytes twice costs less than copying the first 20 afterwards.
   */
  writeTwice(b: Uint8Array, o: number, o2: number, sec: number): void {
    const s = this.secondOfDay(sec);
    this.put(b, o, s);
    this.put(b, o2, s);
  }

  /** Seconds since midnight of `sec`'s day, which becomes the current day (its date text worked out on a change). */
  private secondOfDay(sec: number): number {
    const day = Math.floor(sec / SECONDS_PER_DAY);
    if (day !== this.day) this.setDay(day);
    return sec - day * SECONDS_PER_DAY;
  }

  /** The current day's date, then `s` seconds of it as `HH:MM:SSZ`, at b[o]. */
  private put(b: Uint8Array, o: number, s: number): void {
    const d = this.date;
    for (let i = 0; i < 11; i++) b[o + i] = d[i];
    const h = (s / 3600) | 0;
    const m = ((s - h * 3600) / 60) | 0;
    const x = s - h * 3600 - m * 60;
    b[o + 11] = 48 + ((h / 10) | 0);
    b[o + 12] = 48 + (h % 10);
    b[o + 13] = 58; // :
    b[o + 14] = 48 + ((m / 10) | 0);
    b[o + 15] = 48 + (m % 10);
    b[o + 16] = 58;
    b[o + 17] = 48 + ((x / 10) | 0);
    b[o + 18] = 48 + (x % 10);
    b[o + 19] = 90; // Z
  }

  private setDay(day: number): void {
    const { y, m, d } = civilFromDays(day);
    const b = this.date;
    b[0] = 48 + ((y / 1000) | 0);
    b[1] = 48 + (((y / 100) | 0) % 10);
    b[2] = 48 + (((y / 10) | 0) % 10);
    b[3] = 48 + (y % 10);
    b[4] = 45; // -
    b[5] = 48 + ((m / 10) | 0);
    b[6] = 48 + (m % 10);
    b[7] = 45;
    b[8] = 48 + ((d / 10) | 0);
    b[9] = 48 + (d % 10);
    b[10] = 84; // T
    this.day = day;
  }
}

/** Proleptic Gregorian date of a day number (days since 1970-01-01), after Howard Hinnant's civil_from_days. */
export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

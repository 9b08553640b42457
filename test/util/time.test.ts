import { isoUtc, MAX_INSTANT, MIN_INSTANT, parseIsoInstant } from '../../src/util/time';

/** The one time parser: strict ISO 8601, and only the years PostgreSQL's timestamptz takes (0001-9999 UTC). */
describe('parseIsoInstant', () => {
  it.each([
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['0099-12-31T23:59:59Z', '0099-12-31T23:59:59Z'],
    ['2024-02-29T12:30:00+02:00', '2024-02-29T10:30:00Z'],
    ['2024-01-01', '2024-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
  ])('accepts %s', (text, iso) => {
    const t = parseIsoInstant(text);
    expect(t).not.toBeNull();
    expect(isoUtc(t!)).toBe(iso);
  });

  it.each([
    '0000-01-01T00:00:00Z', // year 0: ISO's 1 BC, PostgreSQL's "date/time field value out of range"
    '0000-12-31',
    '0001-01-01T00:30:00+01:00', // 0000-12-31T23:30Z once in UTC
    '9999-12-31T23:30:00-01:00', // 10000-01-01 once in UTC
    '10000-01-01T00:00:00Z',
    '-0001-01-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-13-01',
    '2024-01-01T24:00:00Z',
    'yesterday',
    '',
  ])('refuses %s', (text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });

  it('reads the common form YYYY-MM-DDTHH:MM:SS[.mmm]Z (its own fast path) as the general expression reads it', () => {
    const cases = ['2024-01-23T06:40:00Z', '2024-02-29T23:59:59.999Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '0100-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.001Z', '2024-04-31T00:00:00Z', '2024-01-01T23:60:00Z', '2024-01-01T00:00:60Z', '2024-1a-01T00:00:00Z'];
    for (const c of cases) expect([c, parseIsoInstant(c, { requireZone: true })]).toEqual([c, parseIsoInstant(c.replace(/Z$/, '+00:00'), { requireZone: true })]);
    expect(parseIsoInstant('2024-01-23T06:40:00Z')).toBe(Date.UTC(2024, 0, 23, 6, 40));
    expect(parseIsoInstant('2024-01-23T06:40:00.123Z')).toBe(Date.UTC(2024, 0, 23, 6, 40, 0, 123));
  });

  it('bounds are the first and last instants of years 0001 and 9999', () => {
    expect(isoUtc(MIN_INSTANT)).toBe('0001-01-01T00:00:00Z');
    expect(isoUtc(MAX_INSTANT)).toBe('9999-12-31T23:59:59.999Z');
    expect(parseIsoInstant('0001-01-01T00:00:00Z')).toBe(MIN_INSTANT);
  });
});

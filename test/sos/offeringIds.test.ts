import type { Offering } from '../../src/catalog/offerings';
import { offeringIds, resolveOfferings } from '../../src/sos/v1/offeringIds';

/** Only the code matters to the ids; the rest of an Offering is irrelevant here. */
const catalog = (codes: string[]): Offering[] => codes.map((code, id) => ({ id, code }) as Offering);

describe('SOS 1.0 offering gml:ids', () => {
  test('an NCName code is its own id; others get off_, prefixed again while taken; ids are unique NCNames', () => {
    const c = catalog(['1A', 'off_1A', 'off_off_1A', '-x', '.x', 'AB.c-d_e']);
    const { gmlId } = offeringIds(c);
    expect(Object.fromEntries(gmlId)).toEqual({
      '1A': 'off_off_off_1A',
      off_1A: 'off_1A',
      off_off_1A: 'off_off_1A',
      '-x': 'off_-x',
      '.x': 'off_.x',
      'AB.c-d_e': 'AB.c-d_e',
    });
    expect(new Set(gmlId.values()).size).toBe(c.length);
    for (const id of gmlId.values()) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
  });

  test('every gml:id names its own offering; a code names itself; the old off_<code> works unless it is now another id', () => {
    const c = catalog(['1A', 'off_1A', 'OUVEA01_TEMP', 'off_B', 'B']);
    const { gmlId } = offeringIds(c);
    for (const o of c) expect(resolveOfferings(c, [gmlId.get(o.code)!])).toEqual([o.code]);
    expect(resolveOfferings(c, ['OUVEA01_TEMP', 'off_OUVEA01_TEMP', 'off_1A', 'off_B', 'B'])).toEqual(['OUVEA01_TEMP', 'OUVEA01_TEMP', 'off_1A', 'off_B', 'B']);
    // Unknown values pass through for the selection to reject.
    expect(resolveOfferings(c, ['nope', 'off_nope'])).toEqual(['nope', 'off_nope']);
  });

  test('the ids are built once per catalog list', () => {
    const c = catalog(['A', '1B']);
    expect(offeringIds(c)).toBe(offeringIds(c));
    expect(offeringIds(catalog(['A', '1B']))).not.toBe(offeringIds(c));
  });
});

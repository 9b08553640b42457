import { HeldFlags } from '../../src/query/heldFlags';

/** Quality flags held by the column driver: given back as exactly the text PostgreSQL sent. */
describe('HeldFlags', () => {
  it('gives back any range of the flags as the text it read, across batches', () => {
    const f = new HeldFlags(3);
    f.add('1,1,4,3');
    f.add('');
    f.add('9,0');
    f.add('2');
    expect(f.length).toBe(7);
    expect(f.bytes).toBeGreaterThanOrEqual(7);
    expect(f.text(0, 7)).toBe('1,1,4,3,9,0,2');
    expect(f.text(2, 5)).toBe('4,3,9');
    expect(f.text(6, 7)).toBe('2');
    expect(f.text(3, 3)).toBe('');
  });

  it('holds one byte a row while every flag fits one, two bytes (any smallint) once one does not', () => {
    const f = new HeldFlags(20);
    f.add('1,200,3');
    expect(f.text(0, 3)).toBe('1,200,3');
    expect(f.bytes).toBe(20);
    f.add('-7,32767,1');
    expect(f.text(0, 6)).toBe('1,200,3,-7,32767,1');
    expect(f.bytes).toBe(40);
    // Past the stored count it grows, keeping what it held.
    f.add(Array.from({ length: 30 }, (_, i) => String(i % 10)).join(','));
    expect(f.length).toBe(36);
    expect(f.text(4, 9)).toBe('32767,1,0,1,2');
  });
});

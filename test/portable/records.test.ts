import { expect } from 'chai';
import { RecordReader, RecordWriter } from '../../src/lock/records.js';

describe('persisted record layout', () => {
  it('round-trips u8, u16, u32 and raw bytes big-endian', () => {
    const bytes = new RecordWriter(11)
      .u8(7)
      .u16(0xbeef)
      .u32(0xfedcba98)
      .raw(Uint8Array.of(1, 2, 3, 4))
      .done();
    expect(Array.from(bytes)).to.deep.equal([7, 0xbe, 0xef, 0xfe, 0xdc, 0xba, 0x98, 1, 2, 3, 4]);
    const r = new RecordReader(bytes);
    expect([r.u8(), r.u16(), r.u32(), Array.from(r.raw(4))]).to.deep.equal([7, 0xbeef, 0xfedcba98, [1, 2, 3, 4]]);
    expect(r.complete()).to.equal(true);
  });

  it('refuses values that do not fit instead of wrapping them (a time after 2106, a negative count)', () => {
    expect(() => new RecordWriter(4).u32(2 ** 32)).to.throw(RangeError);
    expect(() => new RecordWriter(4).u32(-1)).to.throw(RangeError);
    expect(() => new RecordWriter(2).u16(0x10000)).to.throw(RangeError);
    expect(() => new RecordWriter(1).u8(1.5)).to.throw(RangeError);
  });

  it('reads a short or long record as corrupt, never throwing', () => {
    const short = new RecordReader(Uint8Array.of(1, 2));
    short.u32(); // the value of a short read is meaningless; the flag is what callers check
    expect(short.corrupt).to.equal(true);
    expect(short.complete()).to.equal(false);
    const long = new RecordReader(Uint8Array.of(1, 2, 3));
    long.u16();
    expect(long.complete(), 'a trailing byte is not a complete record').to.equal(false);
  });
});

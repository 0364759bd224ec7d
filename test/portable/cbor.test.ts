import { expect } from 'chai';
import { checkWellFormed, decodeStrict, encodeCbor, fromHex, toHex } from '../../src/index.js';

const hex = (h: string): Uint8Array => fromHex(h.replace(/\s/g, '')) as Uint8Array;

describe('strict CBOR', () => {
  const cases: [string, string, string | undefined][] = [
    ['small map with int and text keys', 'a2 01 02 61 61 03', undefined],
    ['nested arrays and byte strings', '82 43 010203 81 40', undefined],
    ['false, true, null', '83 f4 f5 f6', undefined],
    ['a half float', 'f9 3c00', 'floating-point value'],
    ['a double that is a whole number', 'fb 41f2a05f20000000', 'floating-point value'],
    ['duplicate integer key', 'a2 01 00 01 00', 'duplicate map key'],
    ['duplicate text key', 'a2 61 61 00 61 61 01', 'duplicate map key'],
    ['same key, non-preferred encoding', 'a2 01 00 18 01 00', 'duplicate map key'],
    ['byte-string map key', 'a1 41 00 00', 'map key is not an integer or text'],
    ['indefinite array', '9f 01 ff', 'indefinite length'],
    ['indefinite byte string', '5f 41 00 ff', 'indefinite length'],
    ['reserved additional info', '1c', 'reserved additional information'],
    ['truncated uint', '19 01', 'truncated'],
    ['truncated byte string', '45 0102', 'truncated'],
    ['array missing items', '83 01 02', 'truncated'],
    ['trailing bytes', '01 02', 'trailing bytes'],
    ['nested tag', '81 c1 01', 'unexpected tag'],
    ['undefined', 'f7', 'unsupported simple value'],
    ['one-byte simple', 'f8 20', 'unsupported simple value'],
    ['stray break', 'ff', 'indefinite length'],
    ['overlong UTF-8', '62 c0 af', 'invalid UTF-8'],
    ['UTF-16 surrogate in UTF-8', '63 eda080', 'invalid UTF-8'],
    ['truncated UTF-8', '62 e282', 'invalid UTF-8'],
    ['integer beyond 2^53', '1b 0020000000000000', 'integer or length beyond 2^53-1'],
    ['huge declared length', '5b ffffffffffffffff', 'integer or length beyond 2^53-1'],
    ['empty input', '', 'truncated'],
  ];
  for (const [name, input, error] of cases) {
    it(`${error === undefined ? 'accepts' : 'refuses'} ${name}`, () => {
      expect(checkWellFormed(hex(input))).to.equal(error);
    });
  }

  it('bounds nesting depth', () => {
    const deep = new Uint8Array(20).fill(0x81);
    expect(checkWellFormed(Uint8Array.from([...deep, 0x01]))).to.equal('nesting too deep');
    expect(checkWellFormed(Uint8Array.from([...deep.subarray(0, 8), 0x01]))).to.equal(undefined);
  });

  it('allows a tag only where asked, and only that tag', () => {
    expect(checkWellFormed(hex('d2 80'), { topLevelTag: 18 })).to.equal(undefined);
    expect(checkWellFormed(hex('d1 80'), { topLevelTag: 18 })).to.equal('expected tag 18');
    expect(checkWellFormed(hex('80'), { topLevelTag: 18 })).to.equal('expected tag 18');
    expect(checkWellFormed(hex('d2 d2 80'), { topLevelTag: 18 })).to.equal('unexpected tag');
  });

  it('decodes accepted input into Maps, byte strings and text', () => {
    const result = decodeStrict(hex('a2 01 43 010203 62 6869 f5'));
    expect(result.ok).to.equal(true);
    const map = (result as { value: Map<unknown, unknown> }).value;
    expect(map).to.be.instanceOf(Map);
    expect(Array.from(map.get(1) as Uint8Array)).to.deep.equal([1, 2, 3]);
    expect(map.get('hi')).to.equal(true);
  });

  it('never throws on random bytes: the scan refuses everything cbor-x would choke on, and what passes round-trips', () => {
    // decodeStrict catches a cbor-x throw as "cbor-x: …", so "never throws" means: no refusal ever
    // comes from cbor-x. Every refusal is the well-formedness scan's own, and every accepted value
    // re-encodes to bytes that decode to the same value.
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) & 255;
    // Inputs: random bytes, and encodings of random values with a byte changed or cut short
    // (random bytes alone almost never get past the first few bytes).
    const randomValue = (depth: number): unknown => {
      const pick = next() % (depth > 2 ? 5 : 7);
      if (pick === 0) return next() * (next() + 1) * (next() & 1 ? 1 : -1);
      if (pick === 1) return 'abcdefgh'.slice(0, next() % 9);
      if (pick === 2) return Uint8Array.from({ length: next() % 5 }, next);
      if (pick === 3) return next() & 1 ? true : null;
      if (pick === 4) return next() % 24;
      if (pick === 5) return Array.from({ length: next() % 4 }, () => randomValue(depth + 1));
      return new Map(Array.from({ length: next() % 4 }, (_, i) => [i * 3 - 2, randomValue(depth + 1)]));
    };
    let accepted = 0;
    let refused = 0;
    for (let n = 0; n < 2000; n++) {
      let bytes: Uint8Array;
      if (n % 4 === 0) bytes = Uint8Array.from({ length: next() % 40 }, next);
      else {
        bytes = encodeCbor(randomValue(0));
        if (n % 4 === 2) bytes[next() % bytes.length] ^= 1 + (next() % 255);
        if (n % 4 === 3) bytes = bytes.subarray(0, next() % (bytes.length + 1));
      }
      const result = decodeStrict(bytes);
      if (result.ok) {
        accepted++;
        expect(decodeStrict(encodeCbor(result.value)), toHex(bytes)).to.deep.equal(result);
      } else {
        refused++;
        expect(result.error, toHex(bytes)).to.equal(checkWellFormed(bytes));
      }
    }
    expect(accepted).to.be.greaterThan(50);
    expect(refused).to.be.greaterThan(500);
  });
});

/** SHA-256 in plain TypeScript (src/dag/hash.ts): NIST's known answers, and agreement with node:crypto. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalHash, canonicalJson, sha256Hex } from '../../../src/dag/hash';

describe('sha256Hex', () => {
  // FIPS 180-2 / NIST CSRC examples.
  it.each([
    ['the empty message', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['"abc" (one block)', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['the 448-bit message (padding spills into a second block)', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    [
      'the 896-bit message (two blocks)',
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
    ['one million "a" (15,625 blocks)', 'a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ])('hashes %s', (_label, message, digest) => {
    expect(sha256Hex(message)).toBe(digest);
  });

  it('agrees with node:crypto on any text, including multi-byte UTF-8 and every length around a block', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 300 },
    );
    for (let n = 50; n < 140; n++) expect(sha256Hex('x'.repeat(n))).toBe(createHash('sha256').update('x'.repeat(n)).digest('hex'));
  });

  it('encodes astral characters and lone surrogates as TextEncoder does', () => {
    for (const text of ['\ud83d\ude00', '\ud800', 'a\udc00b', 'x\ud800', '\ud800\ud800\udc00']) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(new TextEncoder().encode(text))).digest('hex'));
    }
  });
});

describe('canonicalHash', () => {
  it('is the SHA-256 of canonicalJson, computed without building the text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(canonicalHash(value)).toBe(sha256Hex(canonicalJson(value)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops undefined properties, and writes undefined array items as null', () => {
    expect(canonicalJson({ b: [1, undefined, { d: 1, c: undefined }], a: 'x' })).toBe('{"a":"x","b":[1,null,{"d":1}]}');
  });
});

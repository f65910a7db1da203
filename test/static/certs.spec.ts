import { generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { derInteger } from '../../scripts/lib/certs.mjs';

// certs.mjs encodes X.509 by hand. A random serial whose first byte was 0x00 came out as a padded
// INTEGER, which OpenSSL refuses ("illegal padding"): one test run in about thirty failed its TLS
// setup. These hold the encoding to DER's shortest form for exactly the inputs that broke it.

const hex = (buffer: Buffer) => buffer.toString('hex');
const der = (...bytes: number[]) => derInteger(Buffer.from(bytes));

/** The value a DER INTEGER carries, read as two's complement like any DER reader does. */
function valueOf(encoded: Buffer): bigint {
  expect(encoded[0]).toBe(0x02);
  expect(encoded[1]).toBeLessThan(0x80); // short-form length: every integer certs.mjs writes is < 128 bytes
  const content = encoded.subarray(2);
  expect(content.length).toBe(encoded[1]);
  const unsigned = content.length === 0 ? 0n : BigInt(`0x${hex(content)}`);
  return content[0] & 0x80 ? unsigned - (1n << BigInt(8 * content.length)) : unsigned;
}

describe('certs.mjs: DER INTEGER', () => {
  it.each([
    // [input bytes, DER]
    [[0x02], '020102'],
    [[0x00], '020100'],
    [[0x7f], '02017f'],
    // A high first bit gets one zero byte, or the value would read as negative.
    [[0x80], '02020080'],
    [[0xff, 0x01], '020300ff01'],
    // A leading zero before a byte under 0x80 is padding: dropped (the fixed bug).
    [[0x00, 0x12], '020112'],
    [[0x00, 0x00, 0x00, 0x7f], '02017f'],
    [[0x00, 0x00], '020100'],
    // A leading zero before a byte with its high bit set is the sign byte DER wants: kept, and only one.
    [[0x00, 0x80], '02020080'],
    [[0x00, 0x00, 0x80, 0x01], '0203008001'],
    // Zeros inside or at the end are value, not padding.
    [[0x01, 0x00, 0x00], '0203010000'],
  ])('%j -> %s', (bytes, expected) => {
    expect(hex(der(...bytes))).toBe(expected);
  });

  it('keeps the value and writes it in the shortest form, for any serial', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 33 }), (bytes) => {
        const encoded = derInteger(Buffer.from(bytes));
        expect(valueOf(encoded)).toBe(BigInt(`0x${hex(Buffer.from(bytes))}`));
        // X.690 8.3.2: the first nine bits are never all zeros nor all ones.
        const content = encoded.subarray(2);
        if (content.length > 1) {
          expect(content[0] === 0x00 && content[1] < 0x80).toBe(false);
          expect(content[0] === 0xff && content[1] >= 0x80).toBe(false);
        }
      }),
      { numRuns: 2_000, seed: 19 },
    );
  });

  it('is what OpenSSL accepts: an ECDSA signature re-encoded with it verifies, including an r or s with leading zero bytes', () => {
    // OpenSSL reads ECDSA-Sig-Value (a SEQUENCE of two INTEGERs) as strictly as a certificate's serial.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const reencode = (raw: Buffer) => {
      const body = Buffer.concat([derInteger(raw.subarray(0, 32)), derInteger(raw.subarray(32))]);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    };
    // P-256 signatures with a leading 0x00 then a byte under 0x80 in r or s come about once in 256:
    // sign until one does (the bound only stops a broken signer; missing it is a 1e-30 event).
    let padded = 0;
    for (let i = 0; i < 20_000 && padded < 2; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const leadingZero = [raw.subarray(0, 32), raw.subarray(32)].some((half) => half[0] === 0 && half[1] < 0x80);
      if (!leadingZero && i % 64 !== 0) continue; // check every padded one, and a sample of the others
      if (leadingZero) padded += 1;
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, reencode(raw))).toBe(true);
    }
    expect(padded).toBe(2);
  });
});

/**
 * SHA-256 in plain TypeScript: src/dag runs in the workflow sandbox too, where
 * node:crypto is not available. Used for the definition's content hash.
 */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/**
 * Incremental SHA-256 over text (UTF-8 encoded as it arrives), so a large
 * definition can be hashed as its canonical JSON is written, without ever
 * holding that text.
 */
export class Sha256 {
  private readonly h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private readonly block = new Uint8Array(64);
  private readonly view = new DataView(this.block.buffer);
  private readonly w = new Uint32Array(64);
  private used = 0;
  private bytes = 0;
  /** A high surrogate waiting for its pair across update() calls. */
  private pendingHigh = 0;

  update(text: string): this {
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (this.pendingHigh) {
        const high = this.pendingHigh;
        this.pendingHigh = 0;
        if (c >= 0xdc00 && c <= 0xdfff) {
          this.codePoint(0x10000 + ((high - 0xd800) << 10) + (c - 0xdc00));
          continue;
        }
        this.codePoint(0xfffd); // a lone surrogate, as TextEncoder writes it
      }
      if (c >= 0xd800 && c <= 0xdbff) {
        this.pendingHigh = c;
        continue;
      }
      if (c >= 0xdc00 && c <= 0xdfff) c = 0xfffd;
      this.codePoint(c);
    }
    return this;
  }

  private codePoint(c: number): void {
    if (c < 0x80) this.byte(c);
    else if (c < 0x800) {
      this.byte(0xc0 | (c >> 6));
      this.byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      this.byte(0xe0 | (c >> 12));
      this.byte(0x80 | ((c >> 6) & 63));
      this.byte(0x80 | (c & 63));
    } else {
      this.byte(0xf0 | (c >> 18));
      this.byte(0x80 | ((c >> 12) & 63));
      this.byte(0x80 | ((c >> 6) & 63));
      this.byte(0x80 | (c & 63));
    }
  }

  private byte(b: number): void {
    this.block[this.used++] = b;
    this.bytes++;
    if (this.used === 64) {
      this.compress();
      this.used = 0;
    }
  }

  private compress(): void {
    const { w, h, view } = this;
    const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = (h[0]! + a) >>> 0;
    h[1] = (h[1]! + b) >>> 0;
    h[2] = (h[2]! + c) >>> 0;
    h[3] = (h[3]! + d) >>> 0;
    h[4] = (h[4]! + e) >>> 0;
    h[5] = (h[5]! + f) >>> 0;
    h[6] = (h[6]! + g) >>> 0;
    h[7] = (h[7]! + hh) >>> 0;
  }

  /** The digest as hex; the hasher is spent afterwards. */
  hex(): string {
    if (this.pendingHigh) {
      this.pendingHigh = 0;
      this.codePoint(0xfffd);
    }
    const bitLen = this.bytes * 8;
    this.byte(0x80);
    while (this.used !== 56) this.byte(0);
    this.view.setUint32(56, Math.floor(bitLen / 2 ** 32));
    this.view.setUint32(60, bitLen >>> 0);
    this.compress();
    return [...this.h].map((x) => x.toString(16).padStart(8, '0')).join('');
  }
}

export function sha256Hex(text: string): string {
  return new Sha256().update(text).hex();
}

/**
 * JSON with object keys sorted (by UTF-16 code units), so equal definitions
 * hash equally. Written into one array of parts: a 100,000-node definition
 * would otherwise build and copy millions of intermediate strings.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonical(value, { push: (...p: string[]) => void parts.push(...p) });
  return parts.join('');
}

/** SHA-256 of canonicalJson(value), without building that text. */
export function canonicalHash(value: unknown): string {
  const sha = new Sha256();
  writeCanonical(value, { push: (...p: string[]) => p.forEach((x) => sha.update(x)) });
  return sha.hex();
}

interface Sink {
  push(...parts: string[]): void;
}

function writeCanonical(value: unknown, parts: Sink): void {
  if (Array.isArray(value)) {
    parts.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(',');
      writeCanonical(value[i], parts);
    }
    parts.push(']');
    return;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    parts.push('{');
    let first = true;
    for (const k of keys) {
      if (obj[k] === undefined) continue;
      parts.push(first ? '' : ',', JSON.stringify(k), ':');
      first = false;
      writeCanonical(obj[k], parts);
    }
    parts.push('}');
    return;
  }
  parts.push(JSON.stringify(value) ?? 'null');
}

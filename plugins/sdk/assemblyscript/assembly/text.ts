// @hearth/plugin-api
// Text helpers for the per-call path. The host runs plugins with
// interruption on: every loop back-edge calls a check, about 20 ns each
// (docs/plugins.md). AssemblyScript's own String.UTF8.decode, toLowerCase
// and indexOf take one iteration per character (indexOf one comparison per
// position), so a five-word filter over a 260-character post cost ~110 µs.
// These take 8 to 16 characters per iteration on ASCII text (word-at-a-time
// arithmetic) and fall back to the standard library on anything else.

const ONES16: u64 = 0x0001000100010001;
const HIGH16: u64 = 0x8000800080008000;
const NONASCII16: u64 = 0xff80ff80ff80ff80;

/** Widens 4 ASCII bytes (in the low 32 bits of x) to 4 UTF-16 units. */
// @ts-ignore: decorator
@inline function widen4(x: u32): u64 {
  let y = <u64>x;
  y = (y | (y << 16)) & 0x0000ffff0000ffff;
  return (y | (y << 8)) & 0x00ff00ff00ff00ff;
}

/** Lower-cases the ASCII letters of 4 UTF-16 units below 0x80. */
// @ts-ignore: decorator
@inline function lower4(v: u64): u64 {
  const upper = (v + 0x003f003f003f003f) & ~(v + 0x0025002500250025) & 0x0080008000800080;
  return v | (upper >> 2);
}

/** Decodes n bytes of UTF-8 at ptr (text that is not ASCII goes to String.UTF8.decodeUnsafe). */
export function decodeUTF8(ptr: usize, n: usize): string {
  if (n == 0) return "";
  const out = changetype<usize>(__new(n << 1, idof<string>()));
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const x = load<u64>(ptr + i);
    const y = load<u64>(ptr + i, 8);
    if ((x | y) & 0x8080808080808080) return String.UTF8.decodeUnsafe(ptr, n);
    const o = out + (i << 1);
    store<u64>(o, widen4(<u32>x));
    store<u64>(o, widen4(<u32>(x >> 32)), 8);
    store<u64>(o, widen4(<u32>y), 16);
    store<u64>(o, widen4(<u32>(y >> 32)), 24);
  }
  if (i + 8 <= n) {
    const x = load<u64>(ptr + i);
    if (x & 0x8080808080808080) return String.UTF8.decodeUnsafe(ptr, n);
    store<u64>(out + (i << 1), widen4(<u32>x));
    store<u64>(out + (i << 1), widen4(<u32>(x >> 32)), 8);
    i += 8;
  }
  if (i + 4 <= n) {
    const x = load<u32>(ptr + i);
    if (x & 0x80808080) return String.UTF8.decodeUnsafe(ptr, n);
    store<u64>(out + (i << 1), widen4(x));
    i += 4;
  }
  if (i + 2 <= n) {
    const x = <u32>load<u16>(ptr + i);
    if (x & 0x8080) return String.UTF8.decodeUnsafe(ptr, n);
    store<u32>(out + (i << 1), (x & 0xff) | ((x & 0xff00) << 8));
    i += 2;
  }
  if (i < n) {
    const x = load<u8>(ptr + i);
    if (x & 0x80) return String.UTF8.decodeUnsafe(ptr, n);
    store<u16>(out + (i << 1), <u16>x);
  }
  return changetype<string>(out);
}

/** s lower-cased (as String#toLowerCase, which it calls for text that is not ASCII). */
export function toLower(s: string): string {
  const n = <usize>s.length;
  if (n == 0) return s;
  const p = changetype<usize>(s);
  const out = changetype<usize>(__new(n << 1, idof<string>()));
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const v0 = load<u64>(p + (i << 1));
    const v1 = load<u64>(p + (i << 1), 8);
    if ((v0 | v1) & NONASCII16) return s.toLowerCase();
    store<u64>(out + (i << 1), lower4(v0));
    store<u64>(out + (i << 1), lower4(v1), 8);
  }
  if (i + 4 <= n) {
    const v = load<u64>(p + (i << 1));
    if (v & NONASCII16) return s.toLowerCase();
    store<u64>(out + (i << 1), lower4(v));
    i += 4;
  }
  for (; i < n; i++) {
    const v = <u64>load<u16>(p + (i << 1));
    if (v & 0xff80) return s.toLowerCase();
    store<u16>(out + (i << 1), <u16>lower4(v));
  }
  return changetype<string>(out);
}

/** Whether the n UTF-16 units at a and b are equal (4 per iteration). */
function unitsEqual(a: usize, b: usize, n: usize): bool {
  for (; n >= 4; n -= 4, a += 8, b += 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
  }
  if (n >= 2) {
    if (load<u32>(a) != load<u32>(b)) return false;
    n -= 2;
    a += 4;
    b += 4;
  }
  return n == 0 || load<u16>(a) == load<u16>(b);
}

/** Lanes of x (4 UTF-16 units) equal to zero, marked by their high bit (lanes above a zero one may be marked too). */
// @ts-ignore: decorator
@inline function zeroLanes(x: u64): u64 {
  return (x - ONES16) & ~x & HIGH16;
}

/**
 * Checks the candidate positions marked in z (lanes from base) in order:
 * the first that starts needle, -1 if none does, -2 once past last.
 */
function candidates(z: u64, base: i32, last: i32, hp: usize, np: usize, nl: usize): i32 {
  while (z) {
    const pos = base + <i32>(ctz(z) >> 4);
    if (pos > last) return -2;
    if (unitsEqual(hp + (<usize>pos << 1), np, nl)) return pos;
    z &= z - 1;
  }
  return -1;
}

/** The index of the first occurrence of needle in haystack at or after from, or -1. */
export function indexOf(haystack: string, needle: string, from: i32 = 0): i32 {
  const hl = haystack.length;
  const nl = needle.length;
  const start = min(max(from, 0), hl);
  if (nl == 0) return start;
  const last = hl - nl; // the last position a match can start at
  if (start > last) return -1;
  const hp = changetype<usize>(haystack);
  const np = changetype<usize>(needle);
  const first = load<u16>(np);
  const pattern = <u64>first * ONES16;
  let i = start;
  // Sixteen positions per iteration (the host's interruption check is per
  // back-edge): lanes equal to the first unit become zero.
  for (; i + 16 <= hl; i += 16) {
    const p = hp + (<usize>i << 1);
    const z0 = zeroLanes(load<u64>(p) ^ pattern);
    const z1 = zeroLanes(load<u64>(p, 8) ^ pattern);
    const z2 = zeroLanes(load<u64>(p, 16) ^ pattern);
    const z3 = zeroLanes(load<u64>(p, 24) ^ pattern);
    if ((z0 | z1 | z2 | z3) == 0) continue;
    let at = candidates(z0, i, last, hp, np, <usize>nl);
    if (at == -1) at = candidates(z1, i + 4, last, hp, np, <usize>nl);
    if (at == -1) at = candidates(z2, i + 8, last, hp, np, <usize>nl);
    if (at == -1) at = candidates(z3, i + 12, last, hp, np, <usize>nl);
    if (at != -1) return max(at, -1);
  }
  for (; i + 4 <= hl; i += 4) {
    const at = candidates(zeroLanes(load<u64>(hp + (<usize>i << 1)) ^ pattern), i, last, hp, np, <usize>nl);
    if (at != -1) return max(at, -1);
  }
  for (; i <= last; i++) {
    if (load<u16>(hp + (<usize>i << 1)) == first && unitsEqual(hp + (<usize>i << 1), np, <usize>nl)) return i;
  }
  return -1;
}

/** Whether haystack contains needle. */
export function contains(haystack: string, needle: string): bool {
  return indexOf(haystack, needle) >= 0;
}

/** The index of the first of words that haystack contains, or -1 (empty words are skipped). */
export function containsAny(haystack: string, words: string[]): i32 {
  for (let i = 0; i < words.length; i++) {
    if (words[i].length && indexOf(haystack, words[i]) >= 0) return i;
  }
  return -1;
}

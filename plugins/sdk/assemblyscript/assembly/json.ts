// @hearth/plugin-api
// A small JSON reader for configuration values: config_get returns a
// string value as text and every other type as JSON (a string[] value is
// a JSON array of strings).

/** Parses a JSON array of strings (e.g. `["spam", "scam"]`); null if s is not one. */
export function parseStringArray(s: string): string[] | null {
  const p = new JsonCursor(s);
  p.space();
  if (!p.eat(0x5b)) return null; // [
  const out = new Array<string>();
  p.space();
  if (p.eat(0x5d)) return p.end() ? out : null; // ]
  while (true) {
    p.space();
    const v = p.string();
    if (v == null) return null;
    out.push(v);
    p.space();
    if (p.eat(0x2c)) continue; // ,
    if (p.eat(0x5d)) break;
    return null;
  }
  return p.end() ? out : null;
}

/** Parses a JSON string literal (e.g. `"a\nb"`); null if s is not one. */
export function parseString(s: string): string | null {
  const p = new JsonCursor(s);
  p.space();
  const v = p.string();
  return v != null && p.end() ? v : null;
}

class JsonCursor {
  pos: i32 = 0;

  constructor(public s: string) {}

  space(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  eat(c: i32): bool {
    if (this.pos < this.s.length && this.s.charCodeAt(this.pos) == c) {
      this.pos++;
      return true;
    }
    return false;
  }

  end(): bool {
    this.space();
    return this.pos == this.s.length;
  }

  hex4(): i32 {
    if (this.pos + 4 > this.s.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.s.charCodeAt(this.pos + i);
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else return -1;
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  /** Reads a string literal; null if malformed. */
  string(): string | null {
    if (!this.eat(0x22)) return null;
    const s = this.s;
    let out = "";
    let run = this.pos; // start of the current run of plain characters
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c == 0x22) {
        out += s.substring(run, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) return null;
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      out += s.substring(run, this.pos);
      this.pos++;
      if (this.pos >= s.length) return null;
      const e = s.charCodeAt(this.pos++);
      switch (e) {
        case 0x22: out += "\""; break;
        case 0x5c: out += "\\"; break;
        case 0x2f: out += "/"; break;
        case 0x62: out += "\b"; break;
        case 0x66: out += "\f"; break;
        case 0x6e: out += "\n"; break;
        case 0x72: out += "\r"; break;
        case 0x74: out += "\t"; break;
        case 0x75: {
          const u = this.hex4();
          if (u < 0) return null;
          out += String.fromCharCode(u);
          break;
        }
        default: return null;
      }
      run = this.pos;
    }
    return null;
  }
}

//! The little JSON a plugin needs: configuration values arrive as JSON text
//! (a `string[]` value as `["a","b"]`), parsed here without a JSON crate.

use std::fmt;

/// Malformed JSON, with the byte offset where parsing stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset in the input.
    pub offset: usize,
    /// What was expected or found.
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "json: {} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for JsonError {}

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err<T>(&self, reason: &'static str) -> Result<T, JsonError> {
        Err(JsonError {
            offset: self.pos,
            reason,
        })
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.b.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8, reason: &'static str) -> Result<(), JsonError> {
        if self.peek() != Some(c) {
            return self.err(reason);
        }
        self.pos += 1;
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = match self.b.get(self.pos..self.pos + 4) {
            Some(d) => d,
            None => return self.err("short \\u escape"),
        };
        let mut v = 0;
        for &d in digits {
            let x = match (d as char).to_digit(16) {
                Some(x) => x,
                None => return self.err("bad hex digit in \\u escape"),
            };
            v = v * 16 + x;
        }
        self.pos += 4;
        Ok(v)
    }

    /// A \u escape (the 'u' consumed), joining a surrogate pair.
    fn unicode(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&hi) {
            if self.b.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return self.err("lone surrogate");
            }
            self.pos += 2;
            let lo = self.hex4()?;
            if !(0xdc00..0xe000).contains(&lo) {
                return self.err("bad low surrogate");
            }
            0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
        } else {
            hi
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.err("lone surrogate"),
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.b.get(self.pos) {
            Some(&c) => c,
            None => return self.err("unterminated escape"),
        };
        self.pos += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode()?,
            _ => {
                self.pos -= 1;
                return self.err("unknown escape");
            }
        };
        out.push(ch);
        Ok(())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"', "expected a string")?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and we stopped on ASCII: a char boundary.
            out.push_str(std::str::from_utf8(&self.b[start..self.pos]).unwrap_or_default());
            match self.b.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return self.err("control character in string"),
                None => return self.err("unterminated string"),
            }
        }
    }
}

/// Parses a JSON array of strings, e.g. a `string[]` configuration value.
/// `null` reads as an empty list.
pub fn parse_string_array(s: &str) -> Result<Vec<String>, JsonError> {
    let mut p = Parser {
        b: s.as_bytes(),
        pos: 0,
    };
    if p.peek() == Some(b'n') && s.trim() == "null" {
        return Ok(Vec::new());
    }
    p.expect(b'[', "expected [")?;
    let mut out = Vec::new();
    if p.peek() == Some(b']') {
        p.pos += 1;
    } else {
        loop {
            out.push(p.string()?);
            match p.peek() {
                Some(b',') => p.pos += 1,
                Some(b']') => {
                    p.pos += 1;
                    break;
                }
                _ => return p.err("expected , or ]"),
            }
        }
    }
    if p.peek().is_some() {
        return p.err("trailing characters");
    }
    Ok(out)
}

/// Parses one JSON string, e.g. a config value the host returned as JSON.
pub fn parse_string(s: &str) -> Result<String, JsonError> {
    let mut p = Parser {
        b: s.as_bytes(),
        pos: 0,
    };
    let out = p.string()?;
    if p.peek().is_some() {
        return p.err("trailing characters");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays() {
        assert_eq!(parse_string_array("[]").unwrap(), Vec::<String>::new());
        assert_eq!(parse_string_array(" null ").unwrap(), Vec::<String>::new());
        assert_eq!(parse_string_array(r#"["Spam","scam"]"#).unwrap(), ["Spam", "scam"]);
        assert_eq!(parse_string_array(" [ \"a b\" ,\n\t\"\" ] ").unwrap(), ["a b", ""]);
        assert_eq!(parse_string_array(r#"["héllo wörld ✓"]"#).unwrap(), ["héllo wörld ✓"]);
    }

    #[test]
    fn escapes() {
        // What Go's encoding/json writes for "<a&b>" and friends.
        assert_eq!(parse_string_array(r#"["\u003ca\u0026b\u003e"]"#).unwrap(), ["<a&b>"]);
        assert_eq!(
            parse_string(r#""q\"\\\/\b\f\n\r\t""#).unwrap(),
            "q\"\\/\u{8}\u{c}\n\r\t"
        );
        assert_eq!(parse_string(r#""\u00e9\ud83d\ude00""#).unwrap(), "é😀");
        assert_eq!(parse_string(r#""\u00E9""#).unwrap(), "é");
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "[",
            "[\"a\"",
            "[\"a\",]",
            "[1]",
            "{}",
            "[\"a\"] x",
            "[\"\\x\"]",
            "[\"\\u12\"]",
            "[\"\\ud800\"]",
            "[\"\\ud800\\u0041\"]",
            "[\"\\udc00\"]",
            "[\"a\nb\"]",
            "nul",
            "[\"a\" \"b\"]",
        ] {
            assert!(parse_string_array(bad).is_err(), "{bad:?} parsed");
        }
        let e = parse_string_array("[\"a\", 2]").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(e.to_string().contains("byte 6"), "{e}");
    }
}

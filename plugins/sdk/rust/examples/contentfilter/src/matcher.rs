//! Case-insensitive search for several words at once, written for
//! WebAssembly under wazero with interruption on: there every loop
//! iteration pays a call (the host checks whether the call must stop), so
//! the cost is counted in iterations, not instructions. The text is read
//! eight bytes per iteration; words are only compared where a byte may
//! start one, eight bytes at a time too.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// How many distinct first bytes one pass over a chunk tests.
const LANES: usize = 8;

/// A byte per lane of x: 0x80 where that byte is zero, else 0.
fn zero_bytes(x: u64) -> u64 {
    !((((x & LOW7) + LOW7) | x) | LOW7)
}

/// ASCII upper-case letters of x lower-cased; other bytes unchanged.
fn ascii_lower(x: u64) -> u64 {
    let h = x & LOW7;
    let at_least_a = h + LO * u64::from(0x80 - b'A');
    let above_z = h + LO * u64::from(0x80 - b'Z' - 1);
    let upper = (at_least_a ^ above_z) & !x & HI;
    x | (upper >> 2)
}

/// Eight bytes of b from i, zero-padded past its end.
fn load(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(s) => u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]),
        None => {
            let mut buf = [0u8; 8];
            let tail = b.get(i..).unwrap_or(&[]);
            buf[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(buf)
        }
    }
}

/// One word: its first eight bytes as a u64 with a mask, and the rest.
struct Word {
    head: u64,
    mask: u64,
    len: usize,
    bytes: Vec<u8>,
}

impl Word {
    /// Whether hay[at..] starts with the word, ASCII case-insensitively
    /// (the word is lower case).
    fn at(&self, hay: &[u8], at: usize) -> bool {
        if hay.len() - at < self.len || (ascii_lower(load(hay, at)) ^ self.head) & self.mask != 0 {
            return false;
        }
        self.len <= 8 || hay[at + 8..at + self.len].eq_ignore_ascii_case(&self.bytes[8..])
    }
}

/// Finds any of a set of lower-case words in text, ignoring ASCII case.
pub struct Matcher {
    words: Vec<Word>,
    /// group[b | 0x20]: 1 + the index in groups of the words starting with b.
    group: [u8; 256],
    groups: Vec<Vec<usize>>,
    /// The groups' first bytes, each repeated over a u64, LANES at a time.
    firsts: Vec<[u64; LANES]>,
}

impl Matcher {
    /// A matcher for words (lower-cased already; empty ones are ignored).
    pub fn new(words: &[Vec<u8>]) -> Self {
        let mut m = Matcher {
            words: Vec::new(),
            group: [0; 256],
            groups: Vec::new(),
            firsts: Vec::new(),
        };
        for w in words.iter().filter(|w| !w.is_empty()) {
            m.add(w);
        }
        m
    }

    fn add(&mut self, w: &[u8]) {
        let mut head = [0u8; 8];
        let n = w.len().min(8);
        head[..n].copy_from_slice(&w[..n]);
        let mask = if n == 8 { u64::MAX } else { (1u64 << (8 * n)) - 1 };
        self.words.push(Word {
            head: u64::from_le_bytes(head),
            mask,
            len: w.len(),
            bytes: w.to_vec(),
        });
        let key = (w[0] | 0x20) as usize;
        if self.group[key] == 0 {
            let g = self.groups.len();
            if g % LANES == 0 {
                self.firsts.push([LO * key as u64; LANES]);
            }
            self.firsts[g / LANES][g % LANES] = LO * key as u64;
            self.groups.push(Vec::new());
            self.group[key] = self.groups.len() as u8;
        }
        let g = self.group[key] as usize - 1;
        self.groups[g].push(self.words.len() - 1);
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Where in the eight bytes x some word may start: 0x80 in each such
    /// byte (x's bytes with 0x20 set, compared with the first bytes so).
    fn candidates(&self, x: u64) -> u64 {
        let folded = x | (LO * 0x20);
        let lanes = |f: &[u64; LANES]| {
            zero_bytes(folded ^ f[0])
                | zero_bytes(folded ^ f[1])
                | zero_bytes(folded ^ f[2])
                | zero_bytes(folded ^ f[3])
                | zero_bytes(folded ^ f[4])
                | zero_bytes(folded ^ f[5])
                | zero_bytes(folded ^ f[6])
                | zero_bytes(folded ^ f[7])
        };
        let mut m = lanes(&self.firsts[0]);
        if self.firsts.len() > 1 {
            m = self.firsts[1..].iter().fold(m, |m, f| m | lanes(f));
        }
        m
    }

    /// Whether a word starts at hay[at].
    fn word_at(&self, hay: &[u8], at: usize) -> bool {
        match self.group[(hay[at] | 0x20) as usize] {
            0 => false,
            g => self.groups[g as usize - 1].iter().any(|&w| self.words[w].at(hay, at)),
        }
    }

    /// Searches hay. With ascii_only, None as soon as a byte is not ASCII
    /// (the caller lower-cases the text by Unicode rules and searches again).
    pub fn find(&self, hay: &[u8], ascii_only: bool) -> Option<bool> {
        if self.words.is_empty() {
            return Some(false);
        }
        let mut i = 0;
        while i < hay.len() {
            let x = load(hay, i);
            if ascii_only && x & HI != 0 {
                return None;
            }
            let mut m = self.candidates(x);
            while m != 0 {
                let at = i + (m.trailing_zeros() / 8) as usize;
                if at >= hay.len() {
                    break;
                }
                if self.word_at(hay, at) {
                    return Some(true);
                }
                m &= m - 1;
            }
            i += 8;
        }
        Some(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_helpers() {
        assert_eq!(
            zero_bytes(u64::from_le_bytes([1, 0, 2, 0, 0x80, 0xff, 0, 7])),
            u64::from_le_bytes([0, 0x80, 0, 0x80, 0, 0, 0x80, 0])
        );
        let all: Vec<u8> = (0..=255).collect();
        for c in all.chunks(8) {
            let x = load(c, 0);
            let want: Vec<u8> = c.iter().map(|b| b.to_ascii_lowercase()).collect();
            assert_eq!(ascii_lower(x), load(&want, 0), "{c:?}");
        }
        assert_eq!(load(b"abc", 0), u64::from_le_bytes(*b"abc\0\0\0\0\0"));
        assert_eq!(load(b"abc", 3), 0);
    }

    /// A small deterministic generator (no crates).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    const PIECES: &[&str] = &[
        "a", "S", "s", "p", "AM", "am", "c", " ", "Sc", "É", "é", "ß", "K", "\u{212a}", "x", "@", "`", "1", "ü",
        "free ", "MONEY", "zz",
    ];

    fn text(r: &mut Rng, max: usize) -> String {
        (0..r.next(max)).map(|_| PIECES[r.next(PIECES.len())]).collect()
    }

    /// The plain definition: Unicode lower-case the text, then contains.
    fn naive(words: &[Vec<u8>], hay: &str) -> bool {
        let hay = hay.to_lowercase();
        words
            .iter()
            .filter(|w| !w.is_empty())
            .any(|w| hay.contains(std::str::from_utf8(w).unwrap()))
    }

    #[test]
    fn agrees_with_lowercase_contains() {
        let mut r = Rng(7);
        for round in 0..20_000 {
            let words: Vec<Vec<u8>> = (0..1 + r.next(12))
                .map(|_| text(&mut r, 4).to_lowercase().into_bytes())
                .collect();
            let m = Matcher::new(&words);
            let hay = text(&mut r, 40);
            let got = match m.find(hay.as_bytes(), true) {
                Some(found) => found,
                None => m.find(hay.to_lowercase().as_bytes(), false).unwrap(),
            };
            assert_eq!(got, naive(&words, &hay), "round {round}: {words:?} in {hay:?}");
        }
    }

    #[test]
    fn many_first_bytes_and_long_words() {
        let words: Vec<Vec<u8>> = "abcdefghijklmnopqrstuvwxyz"
            .bytes()
            .map(|b| vec![b, b'#'])
            .chain([b"a much longer banned phrase".to_vec()])
            .collect();
        let m = Matcher::new(&words);
        assert_eq!(m.firsts.len(), 4, "26 first bytes, 8 per pass");
        assert_eq!(m.find(b"nothing here at all", true), Some(false));
        assert_eq!(m.find(b"z", true), Some(false));
        assert_eq!(m.find(b"and z#", true), Some(true));
        assert_eq!(m.find(b"tagged Q#", true), Some(true));
        assert_eq!(m.find(b"is A MUCH LONGER BANNED PHRASE!", true), Some(true));
        assert_eq!(m.find(b"is A MUCH LONGER BANNED PHRAS", true), Some(false));
        assert_eq!(m.find("caf\u{e9}".as_bytes(), true), None);
    }
}

//! A small JSON reader for the plain form that almost every body takes:
//! objects, arrays, strings without escapes, non-negative integers, `null`,
//! `true` and `false`. It answers `None` to anything else (escapes, signs,
//! fractions, exponents, …) and the caller then falls back to serde_json, so
//! whatever it does accept it must read exactly as serde_json would.

pub(super) struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Reader { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips JSON whitespace and returns the next byte, if any.
    #[inline]
    fn peek_token(&mut self) -> Option<u8> {
        match self.peek()? {
            b' ' | b'\n' | b'\t' | b'\r' => self.skip_whitespace(),
            b => Some(b),
        }
    }

    /// Plain bodies are usually compact: whitespace is off the hot path.
    #[cold]
    fn skip_whitespace(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek_token()? == byte).then(|| self.pos += 1)
    }

    fn literal(&mut self, word: &str) -> bool {
        let found = self.text.as_bytes()[self.pos..].starts_with(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// Only whitespace is left.
    pub(super) fn end(&mut self) -> Option<()> {
        self.peek_token().is_none().then_some(())
    }

    /// A string without escapes or control characters, borrowed from the text.
    pub(super) fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = plain_run_end(self.text.as_bytes(), start);
        if self.text.as_bytes().get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        self.text.get(start..end)
    }

    /// A non-negative integer that fits `u64`, without fraction or exponent.
    pub(super) fn unsigned(&mut self) -> Option<u64> {
        let bytes = self.text.as_bytes();
        let mut n: u64 = match self.peek_token()? {
            b'0' => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return None;
                }
                0
            }
            b @ b'1'..=b'9' => {
                self.pos += 1;
                u64::from(b - b'0')
            }
            _ => return None,
        };
        while let Some(&b @ b'0'..=b'9') = bytes.get(self.pos) {
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.pos += 1;
        }
        match self.peek() {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    /// Consumes `null` if it comes next.
    pub(super) fn null(&mut self) -> bool {
        self.peek_token() == Some(b'n') && self.literal("null")
    }

    /// Opens an object; `Some(true)` when it has a first member.
    pub(super) fn begin_object(&mut self) -> Option<bool> {
        self.expect(b'{')?;
        if self.peek_token()? == b'}' {
            self.pos += 1;
            return Some(false);
        }
        Some(true)
    }

    /// A member's key and its colon.
    pub(super) fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        self.expect(b':')?;
        Some(key)
    }

    /// After a member: `Some(true)` when another one follows, `Some(false)` at `}`.
    pub(super) fn next_member(&mut self) -> Option<bool> {
        self.separator(b'}')
    }

    /// Opens an array; `Some(true)` when it has a first element.
    pub(super) fn begin_array(&mut self) -> Option<bool> {
        self.expect(b'[')?;
        if self.peek_token()? == b']' {
            self.pos += 1;
            return Some(false);
        }
        Some(true)
    }

    /// After an element: `Some(true)` when another one follows, `Some(false)` at `]`.
    pub(super) fn next_element(&mut self) -> Option<bool> {
        self.separator(b']')
    }

    fn separator(&mut self, close: u8) -> Option<bool> {
        match self.peek_token()? {
            b',' => {
                self.pos += 1;
                Some(true)
            }
            b if b == close => {
                self.pos += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// Skips the value of a member nobody reads (scalars only).
    pub(super) fn skip_scalar(&mut self) -> Option<()> {
        match self.peek_token()? {
            b'"' => self.string().map(drop),
            b'0'..=b'9' => self.unsigned().map(drop),
            b'n' => self.literal("null").then_some(()),
            b't' => self.literal("true").then_some(()),
            b'f' => self.literal("false").then_some(()),
            _ => None,
        }
    }
}

/// Where the run of bytes from `start` that a JSON string holds as they are
/// ends: at the first `"`, `\` or control character (or the end). Eight
/// bytes at a time.
fn plain_run_end(bytes: &[u8], start: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);
    /// High bit set in each byte of `x` below `n` (n <= 0x80). The lowest
    /// flagged byte is always a true one: a borrow only flags bytes above it.
    fn below(x: u64, n: u8) -> u64 {
        x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH_BITS
    }
    let mut i = start;
    while let Some(&word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let x = u64::from_le_bytes(word);
        let special = below(x ^ (ONES * u64::from(b'"')), 1)
            | below(x ^ (ONES * u64::from(b'\\')), 1)
            | below(x, 0x20);
        if special != 0 {
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrow_and_refuse_escapes_and_control_characters() {
        assert_eq!(Reader::new(r#" "a b é""#).string(), Some("a b é"));
        assert_eq!(Reader::new(r#""""#).string(), Some(""));
        assert_eq!(Reader::new(r#""a\"b""#).string(), None);
        assert_eq!(Reader::new("\"a\tb\"").string(), None);
        assert_eq!(Reader::new(r#""open"#).string(), None);
        assert_eq!(Reader::new("7").string(), None);
    }

    #[test]
    fn plain_runs_stop_at_the_first_special_byte() {
        for len in 0..20 {
            for special in [b'"', b'\\', 0, 0x1f] {
                for filler in [b'a', b' ', 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']'] {
                    let mut bytes = vec![filler; len];
                    assert_eq!(plain_run_end(&bytes, 0), len);
                    bytes.extend([special, b'"', 0]);
                    bytes.extend(vec![filler; 9]);
                    assert_eq!(plain_run_end(&bytes, 0), len, "{len} {special} {filler}");
                    bytes.insert(0, special);
                    assert_eq!(plain_run_end(&bytes, 1), len + 1);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_runs_match_a_bytewise_scan(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let expected = bytes
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len());
            proptest::prop_assert_eq!(plain_run_end(&bytes, 0), expected);
        }
    }

    #[test]
    fn integers_are_plain_and_non_negative() {
        let read = |s: &str| {
            let mut r = Reader::new(s);
            r.unsigned().filter(|_| r.end().is_some())
        };
        assert_eq!(read("0"), Some(0));
        assert_eq!(read(" 9000 "), Some(9000));
        assert_eq!(read("18446744073709551615"), Some(u64::MAX));
        for refused in [
            "18446744073709551616",
            "01",
            "-1",
            "1.0",
            "1e3",
            "1E3",
            "+1",
            "",
        ] {
            assert_eq!(read(refused), None, "{refused}");
        }
    }

    #[test]
    fn objects_and_arrays_walk_their_members() {
        let mut r = Reader::new(r#" { "a" : [ ] , "b": [1, 2], "c": null }  "#);
        assert_eq!(r.begin_object(), Some(true));
        assert_eq!(r.key(), Some("a"));
        assert_eq!(r.begin_array(), Some(false));
        assert_eq!(r.next_member(), Some(true));
        assert_eq!(r.key(), Some("b"));
        assert_eq!(r.begin_array(), Some(true));
        assert_eq!(r.unsigned(), Some(1));
        assert_eq!(r.next_element(), Some(true));
        assert_eq!(r.unsigned(), Some(2));
        assert_eq!(r.next_element(), Some(false));
        assert_eq!(r.next_member(), Some(true));
        assert_eq!(r.key(), Some("c"));
        assert!(r.null());
        assert_eq!(r.next_member(), Some(false));
        assert_eq!(r.end(), Some(()));
    }

    #[test]
    fn scalars_can_be_skipped_but_nothing_else() {
        for ok in [r#""x""#, "12", "null", "true", "false"] {
            assert_eq!(Reader::new(ok).skip_scalar(), Some(()), "{ok}");
        }
        for refused in ["{}", "[]", "nul", "tru", "-1", "1.5"] {
            assert_eq!(Reader::new(refused).skip_scalar(), None, "{refused}");
        }
    }

    #[test]
    fn trailing_text_is_refused() {
        let mut r = Reader::new("{} x");
        assert_eq!(r.begin_object(), Some(false));
        assert_eq!(r.end(), None);
    }
}

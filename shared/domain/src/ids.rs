//! The id grammar of the event contract, and validated id newtypes.
//!
//! An id (CloudEvents `id` and `source`; `venueId`, `eventId`, `userId`,
//! `sessionId`, `orderId`, `ticketId`, `cartId`, a show's `eventId`) is
//! 1–[`MAX_ID_CHARS`] Unicode characters with no whitespace, no control
//! character and neither `#` nor `*`. Storage keys join id parts with `#`
//! and name the venue-wide scope `*` (`storage::keys`), so under this grammar
//! no two distinct tuples of ids can make one key, and no show can be the
//! venue scope. An id outside the grammar is rejected with reason
//! `invalid_id`.

use std::fmt;

/// Longest accepted id, in characters (at most 4 × that in UTF-8 bytes,
/// which keeps every composed key far below DynamoDB's key size limits).
pub const MAX_ID_CHARS: usize = 128;

/// Characters an id may not contain besides whitespace and control characters.
pub const RESERVED: [char; 2] = ['#', '*'];

/// The JSON Schema `pattern` of an id (ECMA-262): what [`check`] accepts, length aside.
pub const ID_PATTERN: &str = r"^[^#*\s\u0000-\u001f\u007f-\u009f]+$";

/// Why a string is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {MAX_ID_CHARS} characters")]
    TooLong,
    #[error("contains {0:?} (ids may not contain whitespace, control characters, `#` or `*`)")]
    Forbidden(char),
}

/// Checks `value` against the id grammar.
pub fn check(value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty);
    }
    // Bytes bound characters from above: the common short ASCII id skips counting.
    if value.len() > MAX_ID_CHARS && value.chars().count() > MAX_ID_CHARS {
        return Err(IdError::TooLong);
    }
    if value
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'#' && b != b'*')
    {
        return Ok(());
    }
    match value
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || RESERVED.contains(c))
    {
        Some(c) => Err(IdError::Forbidden(c)),
        None => Ok(()),
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(&'a str);

        impl<'a> $name<'a> {
            /// Checks `value` against the id grammar.
            pub fn parse(value: &'a str) -> Result<Self, IdError> {
                check(value).map(|()| $name(value))
            }

            pub const fn as_str(&self) -> &'a str {
                self.0
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }

        impl AsRef<str> for $name<'_> {
            fn as_ref(&self) -> &str {
                self.0
            }
        }
    };
}

id_type!(
    /// A venue (tenant) id.
    VenueId
);
id_type!(
    /// A show id (`eventId` in the contract).
    ShowId
);
id_type!(
    /// A CloudEvents `source`.
    Source
);
id_type!(
    /// A CloudEvents `id` (unique per source).
    EventIdent
);
id_type!(
    /// A page-view session id.
    SessionId
);
id_type!(
    /// A customer (`userId`).
    CustomerId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar() {
        for ok in [
            "venue-1",
            "a",
            "https://tickets.example.com/api",
            "Zürich-Halle",
            "東京ドーム",
            "x%23y",
            "~!$&'()+,;=:@/?",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok:?}");
        }
        assert_eq!(check(""), Err(IdError::Empty));
        assert_eq!(check("A#B"), Err(IdError::Forbidden('#')));
        assert_eq!(check("*"), Err(IdError::Forbidden('*')));
        assert_eq!(check("two words"), Err(IdError::Forbidden(' ')));
        assert_eq!(check("tab\t"), Err(IdError::Forbidden('\t')));
        assert_eq!(check("nbsp\u{a0}"), Err(IdError::Forbidden('\u{a0}')));
        assert_eq!(check("nul\u{0}"), Err(IdError::Forbidden('\u{0}')));
        assert_eq!(check(&"x".repeat(MAX_ID_CHARS)), Ok(()));
        assert_eq!(check(&"x".repeat(MAX_ID_CHARS + 1)), Err(IdError::TooLong));
        // Characters, not bytes: 128 three-byte characters are one id.
        assert_eq!(check(&"東".repeat(MAX_ID_CHARS)), Ok(()));
        assert_eq!(VenueId::parse("v").map(|v| v.as_str()), Ok("v"));
    }
}

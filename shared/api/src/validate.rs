//! Small input checks shared by the document routes.

use crate::error::{ApiError, ApiResult};

/// Longest name or title accepted.
pub const MAX_NAME_CHARS: usize = 100;

/// A trimmed, non-empty name of at most [`MAX_NAME_CHARS`] characters.
pub fn name(field: &str, raw: &str) -> ApiResult<String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "`{field}` must be 1–{MAX_NAME_CHARS} characters"
        )));
    }
    Ok(s.to_owned())
}

/// A plausible e-mail address: `local@domain.tld`, no spaces, at most 254 characters.
pub fn email(raw: &str) -> ApiResult<String> {
    let s = raw.trim();
    let ok = s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        // One address, never a header's worth: no lists, groups or quoting.
        && !s.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '"', '\\'])
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|p| !p.is_empty())
        });
    if ok {
        Ok(s.to_owned())
    } else {
        Err(ApiError::bad_request(format!(
            "not an e-mail address: {raw:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(email("ops@venue.example").is_ok());
        for bad in [
            "", "ops", "ops@", "@x.io", "a@b", "a b@c.io", "a@b@c.io", "a@.io",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(name("name", " x ").is_ok_and(|n| n == "x"));
        assert!(name("name", "").is_err());
    }
}

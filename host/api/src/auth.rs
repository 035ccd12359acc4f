//! The shared secret of a deployment: the bearer token every request to a
//! worker or server carries when access control is on. It is held in a type
//! that never prints it, so it cannot reach a log line, a span or an error
//! message by accident.

use std::fmt;

use subtle::ConstantTimeEq;

/// A bearer token (`Authorization: Bearer <token>`). `Debug` prints
/// `[redacted]`; the token itself is only read to build the header and to
/// compare a presented one, in constant time.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

/// Why a string cannot be a bearer token. The message never repeats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// The token is empty (or only whitespace).
    Empty,
    /// The token has a character an HTTP header cannot carry verbatim:
    /// whitespace, a control character or non-ASCII.
    InvalidCharacter,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Empty => f.write_str("the bearer token is empty"),
            TokenError::InvalidCharacter => f.write_str(
                "the bearer token may only contain visible ASCII characters (no spaces)",
            ),
        }
    }
}

impl std::error::Error for TokenError {}

impl BearerToken {
    /// `token` with surrounding whitespace removed; it must be non-empty
    /// visible ASCII so it travels in a header unchanged.
    pub fn new(token: impl Into<String>) -> Result<Self, TokenError> {
        let token = token.into();
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(TokenError::InvalidCharacter);
        }
        Ok(BearerToken(token.to_string()))
    }

    /// The value of the `Authorization` header that presents this token.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// Whether an `Authorization` header value presents this token. The
    /// comparison takes the same time wherever the first difference is, so
    /// a caller cannot guess the token byte by byte.
    pub fn is_presented_by(&self, authorization: &[u8]) -> bool {
        let Some(presented) = strip_bearer(authorization) else {
            return false;
        };
        let expected = self.0.as_bytes();
        // Only the length leaks, and it is not secret enough to matter.
        presented.len() == expected.len() && bool::from(presented.ct_eq(expected))
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

/// The credentials of a `Bearer` authorization (scheme case-insensitive).
fn strip_bearer(authorization: &[u8]) -> Option<&[u8]> {
    const SCHEME: &[u8] = b"bearer ";
    let scheme = authorization.get(..SCHEME.len())?;
    scheme
        .eq_ignore_ascii_case(SCHEME)
        .then(|| authorization[SCHEME.len()..].trim_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = BearerToken::new("s3cret-token").unwrap();
        assert_eq!(format!("{token:?}"), "BearerToken([redacted])");
        assert!(!format!("{:?}", Some(&token)).contains("s3cret"));
    }

    #[test]
    fn only_the_exact_token_is_accepted() {
        let token = BearerToken::new(" s3cret ").unwrap();
        assert_eq!(token.authorization(), "Bearer s3cret");
        assert!(token.is_presented_by(b"Bearer s3cret"));
        assert!(token.is_presented_by(b"bearer s3cret"));
        assert!(!token.is_presented_by(b"Bearer s3cre"));
        assert!(!token.is_presented_by(b"Bearer s3crex"));
        assert!(!token.is_presented_by(b"Bearer s3cret2"));
        assert!(!token.is_presented_by(b"Basic s3cret"));
        assert!(!token.is_presented_by(b"s3cret"));
        assert!(!token.is_presented_by(b""));
    }

    #[test]
    fn unusable_tokens_are_refused_without_echoing_them() {
        assert_eq!(BearerToken::new("  "), Err(TokenError::Empty));
        let err = BearerToken::new("two words").unwrap_err();
        assert_eq!(err, TokenError::InvalidCharacter);
        assert!(!err.to_string().contains("words"));
    }
}

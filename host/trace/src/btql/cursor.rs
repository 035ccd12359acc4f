//! Pagination cursors. A cursor is opaque to clients: base64url of a small
//! JSON value. For queries in the default order (by `created`) it holds
//! the last row's `created` and row number, so the next page is an index
//! range scan however deep the client pages; for any other order it holds
//! the number of rows already returned.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::error::BtqlError;

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Cursor {
    /// After the row with this `created` and `seq` (the store's row number).
    #[serde(rename = "k")]
    After(String, i64),
    /// After this many rows.
    #[serde(rename = "o")]
    Offset(u64),
}

/// Cursors are short; anything longer is not one of ours.
const MAX_CURSOR_CHARS: usize = 512;

impl Cursor {
    /// The opaque token for this position.
    pub(crate) fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("cursors serialize");
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a token made by [`Cursor::encode`].
    pub(crate) fn decode(token: &str) -> Result<Cursor, BtqlError> {
        let bad = || BtqlError::BadCursor("it is not a cursor this server returned".to_owned());
        if token.len() > MAX_CURSOR_CHARS {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if let Cursor::Offset(n) = cursor {
            if i64::try_from(n).is_err() {
                return Err(bad());
            }
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for cursor in [
            Cursor::After("2024-01-01T00:00:00.000000Z".into(), 42),
            Cursor::Offset(1000),
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
        for bad in ["", "x", "eyJ4IjoxfQ", "'; DROP TABLE spans; --"] {
            assert!(matches!(Cursor::decode(bad), Err(BtqlError::BadCursor(_))));
        }
    }
}

//! `text_enum!`: a closed set of values stored as snake_case text, the shape of every kind,
//! stage and status the database keeps (customer kinds, channels, lifecycle stages …).
//!
//! Declared before every other module (`#[macro_use]` in lib.rs), so each can use it without
//! an import. The derives name `Serialize`, `Deserialize` and `Type` as the calling module
//! imports them.

/// Declares a closed set of values stored as snake_case text: the enum with serde and specta
/// derives, `ALL`, `as_str`, `parse`, and its SQLite conversions.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::text_enum::Placed for $name {
            fn place(self) -> i64 {
                $name::ALL.iter().position(|v| *v == self).unwrap_or(0) as i64
            }
            fn at_place(place: i64) -> Option<Self> {
                usize::try_from(place).ok().and_then(|i| $name::ALL.get(i)).copied()
            }
            fn from_text(text: &str) -> Option<Self> {
                $name::parse(text)
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = value.as_str()?;
                $name::parse(text).ok_or_else(|| rusqlite::types::FromSqlError::Other(
                    format!("{text:?} is not a {}", stringify!($name)).into()))
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
    };
}

/// A value of a closed set by its place in the set's `ALL`: one byte where the archive and
/// the latest run's member rows keep it, against a word of text. Places are only ever added
/// at the end of a set.
pub trait Placed: Sized + Copy {
    fn place(self) -> i64;
    fn at_place(place: i64) -> Option<Self>;
    fn from_text(text: &str) -> Option<Self>;
}

/// A [`Placed`] value read from or written to SQLite as its place; read from text too, as
/// member rows written before they held places have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<T>(pub T);

impl<T: Placed> rusqlite::types::FromSql for Place<T> {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        use rusqlite::types::{FromSqlError, ValueRef};
        let found = match value {
            ValueRef::Integer(place) => T::at_place(place),
            ValueRef::Text(text) => std::str::from_utf8(text).ok().and_then(T::from_text),
            _ => return Err(FromSqlError::InvalidType),
        };
        found.map(Place).ok_or_else(|| FromSqlError::Other(format!("{value:?} is no place in its set").into()))
    }
}

impl<T: Placed> rusqlite::ToSql for Place<T> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.place().into())
    }
}

#[cfg(test)]
mod tests {
    use super::Place;
    use crate::evaluation::Tier;

    #[test]
    fn a_place_reads_from_its_number_or_its_text_and_writes_its_number() {
        let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
        let read = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, Place<Tier>>(0));
        assert_eq!(read("SELECT 1").expect("number"), Place(Tier::B));
        assert_eq!(read("SELECT 'prospect'").expect("text"), Place(Tier::Prospect));
        for wrong in ["SELECT 9", "SELECT -1", "SELECT 'z'", "SELECT 2.5"] {
            assert!(read(wrong).is_err(), "{wrong}");
        }
        let written: i64 = conn.query_row("SELECT ?1", [Place(Tier::Prospect)], |r| r.get(0)).expect("written");
        assert_eq!(written, 4);
    }
}

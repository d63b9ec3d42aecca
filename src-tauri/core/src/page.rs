//! Pages of a list: how many rows a page may hold, for the customer list, a customer's
//! records and the members of a run alike.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Rows in a page when the caller asks for 0.
pub const PAGE_DEFAULT: u32 = 50;
/// The most rows a page holds, whatever the caller asks.
pub const PAGE_MAX: u32 = 500;

/// One page of a list, and how many rows the whole list has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u32,
}

/// The page size to use: 0 means [`PAGE_DEFAULT`], anything above [`PAGE_MAX`] is capped.
///
/// ```
/// use headtail_core::page::{page_limit, PAGE_DEFAULT, PAGE_MAX};
/// assert_eq!((page_limit(0), page_limit(20), page_limit(10_000)), (PAGE_DEFAULT, 20, PAGE_MAX));
/// ```
pub fn page_limit(limit: u32) -> u32 {
    match limit {
        0 => PAGE_DEFAULT,
        n => n.min(PAGE_MAX),
    }
}

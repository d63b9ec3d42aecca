//! Headtail's core: domain types, storage and analytics. Nothing here knows about the window.

pub mod clv;
pub mod customers;
pub mod db;
pub mod error;
pub mod paths;
pub mod settings;

pub use db::Database;
pub use error::{Error, ErrorPayload, Result};

//! Headtail's core: domain types, storage and analytics. Nothing here knows about the window.

pub mod activity;
pub mod customers;
pub mod db;
pub mod error;
pub mod export;
pub mod import;
pub mod interactions;
pub mod orders;
pub mod paths;
pub mod search;
pub mod settings;
pub mod surveys;

pub use db::Database;
pub use error::{Error, ErrorPayload, Result};

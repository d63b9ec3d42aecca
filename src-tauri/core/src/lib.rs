//! Headtail's core: domain types, storage and analytics. Nothing here knows about the window.

// First, so that every module below can use the macro without an import.
#[macro_use]
pub mod text_enum;

pub mod activity;
pub mod backup;
pub mod bulk;
pub mod charts;
pub mod clv;
pub mod complaints;
pub mod contacts;
pub mod customers;
pub mod db;
pub mod demo;
pub mod encryption;
pub mod erase;
pub mod error;
pub mod evaluation;
pub mod export;
pub mod follow_ups;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod interactions;
pub mod labels;
pub mod loyalty;
pub mod money;
pub mod my_day;
pub mod orders;
pub mod page;
pub mod paths;
pub mod pipeline;
pub mod saved_views;
pub mod search;
pub mod service_costs;
pub mod settings;
pub mod surveys;
pub mod text_limits;
pub mod timeline;
pub mod transaction_file;
pub mod work_settings;

pub use db::Database;
pub use error::{Error, ErrorPayload, Result};

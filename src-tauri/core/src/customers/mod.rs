//! Customers: the profile and its kinds. Inside: `input`, what a form or an import supplies
//! and its validation; `writer`, the one way a profile is written; `queries`, reading,
//! creating, changing, trashing; `list`, the plan behind the customer list.

mod by_standing;
mod duplicates;
mod input;
mod list;
mod queries;
pub mod since;
pub mod sort_key;
mod writer;

pub use by_standing::NARROW;
pub(crate) use duplicates::{live_ids_by_key, KeyColumn};
pub use duplicates::{possible_duplicates, DuplicateDraft, DuplicateMatch, PossibleDuplicate, DUPLICATES_MAX};
pub(crate) use input::DuplicateKeys;
pub use input::{
    email_key, is_valid_email, is_valid_phone, name_key, phone_key, CustomerInput, ValidCustomer, COMPANY_MAX,
    EMAIL_MAX, EXTERNAL_ID_MAX, LONG_TEXT_MAX, NAME_MAX, NOTES_MAX, PHONE_MAX, SHORT_TEXT_MAX, TAGS_MAX, TAG_MAX,
};
pub use list::{
    list, list_ids, list_with, CustomerPage, CustomerQuery, CustomerSort, ListEvaluation, ListStanding, SearchLimits,
    COUNT_CAP,
};
pub use queries::{create, create_in_batch, get, restore, soft_delete, update};
pub(crate) use writer::{CustomerWriter, SearchEntry};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(CustomerKind { Company = "company", Person = "person" });
text_enum!(
    /// Large account, small or medium business, or an individual buyer.
    SizeClass { Large = "large", Smb = "smb", Individual = "individual" }
);
text_enum!(
    /// Where a customer buys.
    SalesChannel { OnlineShop = "online_shop", Marketplace = "marketplace", Store = "store", PhoneWechat = "phone_wechat" }
);
text_enum!(
    /// A prospect's way to the first purchase.
    PipelineStage {
        Awareness = "awareness", Interest = "interest", Decision = "decision",
        Purchase = "purchase", Won = "won", Lost = "lost",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub kind: CustomerKind,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub region: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub external_id: Option<String>,
    pub size_class: Option<SizeClass>,
    pub industry: Option<String>,
    pub channels: Vec<SalesChannel>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub is_kol: bool,
    pub referred_by: Option<i64>,
    pub needs: Option<String>,
    pub preferences: Option<String>,
    pub pipeline_stage: Option<PipelineStage>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub erased_at: Option<String>,
    /// The first order's date when it is older than the record; `None`: a customer since
    /// `created_at` (see [`since`]).
    #[serde(default)]
    pub customer_since: Option<chrono::NaiveDate>,
}

impl Customer {
    /// The profile as an input again, e.g. to restore it after a reverted import.
    pub fn to_input(&self) -> CustomerInput {
        CustomerInput {
            name: self.name.clone(),
            kind: self.kind,
            company: self.company.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            region: self.region.clone(),
            owner: self.owner.clone(),
            notes: self.notes.clone(),
            external_id: self.external_id.clone(),
            size_class: self.size_class,
            industry: self.industry.clone(),
            channels: self.channels.clone(),
            tags: self.tags.clone(),
            source: self.source.clone(),
            is_kol: self.is_kol,
            referred_by: self.referred_by,
            needs: self.needs.clone(),
            preferences: self.preferences.clone(),
            pipeline_stage: self.pipeline_stage,
        }
    }
}

/// Timestamps are stored as RFC 3339 UTC text with milliseconds, which sorts in time order.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

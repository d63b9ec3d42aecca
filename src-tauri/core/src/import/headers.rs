//! Which column holds which field: header names in English and Chinese, normalised and
//! matched per import kind, the caller's overrides, and mappings saved for reuse.

use super::{Field, ImportKind, Platform};
use crate::customers::timestamp;
use crate::error::Result;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::{BTreeMap, HashMap};
use unicode_normalization::UnicodeNormalization;

/// Field → the header of the column that holds it, as the file spells the header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct Mapping(pub BTreeMap<Field, String>);

/// The form headers are compared in: width-folded (ＡＢＣ，（元）), lower case, without
/// spaces, underscores, dashes, dots, `*` and `:`, and without a bracketed unit such as
/// `(元)` or `[CNY]`. So `订单金额（元）`, ` Order_Date ` and `E-mail*` meet their synonyms.
pub fn normalise_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut depth = 0_u32;
    for c in header.nfkc().flat_map(char::to_lowercase) {
        match c {
            '(' | '[' | '【' | '〔' => depth += 1,
            ')' | ']' | '】' | '〕' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '_' | '-' | '.' | '*' | ':' | '·' | '\u{feff}') => {}
            c => out.push(c),
        }
    }
    out
}

const EXTERNAL_ID: &[&str] = &[
    "客户编号",
    "客户id",
    "客户代码",
    "客户号",
    "客户编码",
    "会员编号",
    "会员id",
    "会员号",
    "会员卡号",
    "外部编号",
    "customerid",
    "externalid",
    "customerno",
    "customernumber",
    "customercode",
    "memberid",
    "clientid",
];
#[rustfmt::skip]
const NAME: &[&str] = &[
    "客户名称", "客户姓名", "客户名", "姓名", "会员名称", "会员姓名", "名称", "名字", "客户",
    "name", "customername", "customer", "clientname", "fullname",
];
/// Every way a phone column is headed. 联系方式 ("way of contact") comes last: in an
/// interaction log it is the channel of the contact, not a number (see [`PHONE_NUMBER`]).
const PHONE: &[&str] = &[
    "手机",
    "手机号",
    "手机号码",
    "电话",
    "联系电话",
    "电话号码",
    "移动电话",
    "phone",
    "mobile",
    "tel",
    "telephone",
    "phonenumber",
    "mobilephone",
    "cellphone",
    "联系方式",
];
/// [`PHONE`] without 联系方式, for files where it names the way a contact happened.
const PHONE_NUMBER: &[&str] = match PHONE.split_last() {
    Some((_, numbers)) => numbers,
    None => PHONE,
};
const EMAIL: &[&str] = &["电子邮箱", "电子邮件", "邮箱", "邮件", "email", "emailaddress", "mail"];
const COMPANY: &[&str] = &[
    "公司",
    "公司名称",
    "单位",
    "企业",
    "企业名称",
    "工作单位",
    "company",
    "companyname",
    "organization",
    "organisation",
];
const REGION: &[&str] =
    &["地区", "区域", "省份", "省", "城市", "所在地区", "所在城市", "region", "province", "city", "area", "location"];
const OWNER: &[&str] = &[
    "负责人",
    "客户经理",
    "销售",
    "销售员",
    "业务员",
    "归属人",
    "跟进人",
    "owner",
    "accountmanager",
    "salesrep",
    "assignedto",
];
const TAGS: &[&str] = &["标签", "客户标签", "tags", "tag", "labels"];
const SOURCE: &[&str] = &["来源", "客户来源", "source", "leadsource"];
const INDUSTRY: &[&str] = &["行业", "所属行业", "industry", "sector"];
const SIZE_CLASS: &[&str] = &["规模", "客户规模", "企业规模", "size", "sizeclass", "companysize"];
const CUSTOMER_KIND: &[&str] = &["客户类型", "类型", "type", "customertype", "kind"];
const CHANNEL: &[&str] = &["渠道", "销售渠道", "购买渠道", "下单渠道", "channel", "channels", "saleschannel"];
const CUSTOMER_NOTES: &[&str] = &["备注", "说明", "备注信息", "notes", "note", "remark", "remarks"];
const ORDER_NUMBER: &[&str] = &[
    "订单号",
    "订单编号",
    "单号",
    "订单id",
    "交易号",
    "交易编号",
    "流水号",
    "orderid",
    "orderno",
    "ordernumber",
    "order",
    "invoiceno",
    "transactionid",
];
const ORDER_DATE: &[&str] = &[
    "下单日期",
    "订单日期",
    "下单时间",
    "交易日期",
    "购买日期",
    "成交日期",
    "付款时间",
    "日期",
    "时间",
    "orderdate",
    "date",
    "purchasedate",
    "orderedon",
    "ordertime",
];
const AMOUNT: &[&str] = &[
    "金额",
    "订单金额",
    "实付金额",
    "实收金额",
    "支付金额",
    "付款金额",
    "成交金额",
    "总金额",
    "总价",
    "合计",
    "销售额",
    "amount",
    "total",
    "totalamount",
    "ordertotal",
    "revenue",
    "paid",
];
const ORDER_STATUS: &[&str] = &["订单状态", "交易状态", "状态", "orderstatus", "status"];
const REFUND_STATUS: &[&str] = &["售后状态", "退款状态", "refundstatus"];
const COST: &[&str] = &["成本", "成本价", "商品成本", "进货成本", "cost", "cogs", "costofgoods"];
const CURRENCY: &[&str] = &["币种", "货币", "币别", "currency", "currencycode"];
const PRODUCT: &[&str] =
    &["商品", "产品", "商品名称", "产品名称", "品名", "货品", "product", "productname", "item", "itemname", "sku"];
const CATEGORY: &[&str] = &["品类", "类别", "商品类别", "商品分类", "分类", "产品类别", "category", "productcategory"];
const QUANTITY: &[&str] = &["数量", "件数", "购买数量", "qty", "quantity", "units"];
const INTERACTION_TYPE: &[&str] =
    &["类型", "方式", "跟进方式", "沟通方式", "联系方式", "互动类型", "type", "interactiontype", "method", "kind"];
const INTERACTION_DATE: &[&str] =
    &["时间", "日期", "跟进时间", "沟通时间", "联系时间", "跟进日期", "date", "time", "datetime", "occurredat"];
const OUTCOME: &[&str] = &["结果", "跟进结果", "沟通结果", "outcome", "result"];
const INTERACTION_NOTES: &[&str] =
    &["备注", "内容", "沟通内容", "跟进内容", "记录", "notes", "note", "content", "remarks"];
const NEXT_FOLLOW_UP: &[&str] = &[
    "下次跟进",
    "下次跟进时间",
    "下次跟进日期",
    "下次联系",
    "下次联系时间",
    "nextfollowup",
    "nextfollowupdate",
    "followup",
    "followupdate",
    "nextcontact",
];
const SURVEY_TYPE: &[&str] = &["类型", "调查类型", "问卷类型", "指标", "type", "surveytype", "kind", "metric"];
const SCORE: &[&str] = &["分数", "评分", "得分", "打分", "score", "rating"];
const COMMENT: &[&str] = &["评论", "评价", "意见", "反馈", "留言", "备注", "comment", "comments", "feedback", "remark"];
const SURVEY_DATE: &[&str] = &[
    "日期",
    "时间",
    "回复日期",
    "提交时间",
    "调查日期",
    "填写时间",
    "date",
    "respondedon",
    "responsedate",
    "submittedat",
];

const COMPLAINT_DATE: &[&str] = &[
    "投诉日期",
    "投诉时间",
    "受理时间",
    "受理日期",
    "日期",
    "时间",
    "date",
    "openedat",
    "openedon",
    "complaintdate",
    "created",
    "createdat",
];
const COMPLAINT_CATEGORY: &[&str] =
    &["类别", "投诉类别", "投诉类型", "问题类型", "分类", "类型", "category", "complainttype", "type", "issuetype"];
const SEVERITY: &[&str] =
    &["严重程度", "严重性", "级别", "等级", "紧急程度", "优先级", "severity", "priority", "level"];
const STATUS: &[&str] = &["状态", "处理状态", "投诉状态", "status", "state"];
const DESCRIPTION: &[&str] =
    &["描述", "投诉内容", "问题描述", "内容", "详情", "备注", "description", "details", "content", "notes"];
const RESOLVED_AT: &[&str] = &[
    "解决时间",
    "解决日期",
    "结案时间",
    "关闭时间",
    "完成时间",
    "resolvedat",
    "resolvedon",
    "resolutiondate",
    "closedat",
];
const RESOLUTION: &[&str] =
    &["解决方案", "处理结果", "处理方案", "解决办法", "处理意见", "resolution", "solution", "outcome", "result"];
const FIRST_RESPONSE_AT: &[&str] = &[
    "首次响应时间",
    "首次回复时间",
    "响应时间",
    "回复时间",
    "firstresponseat",
    "firstresponse",
    "respondedat",
    "responsetime",
];

/// The fields of a kind with their header synonyms, most specific first. Activity files
/// start with the four ways they name the customer. A table, so laid out as one.
#[rustfmt::skip]
pub fn synonyms(kind: ImportKind) -> &'static [(Field, &'static [&'static str])] {
    use Field::*;
    match kind {
        ImportKind::Customers => &[
            (ExternalId, EXTERNAL_ID), (Name, NAME), (CustomerKind, CUSTOMER_KIND), (Company, COMPANY),
            (Phone, PHONE), (Email, EMAIL), (Region, REGION), (Owner, OWNER), (Tags, TAGS), (Source, SOURCE),
            (Industry, INDUSTRY), (SizeClass, SIZE_CLASS), (Channel, CHANNEL), (Notes, CUSTOMER_NOTES),
        ],
        ImportKind::Orders => &[
            (ExternalId, EXTERNAL_ID), (Name, &NAME_FOR_ACTIVITY), (Phone, PHONE), (Email, EMAIL),
            (OrderNumber, ORDER_NUMBER), (Date, ORDER_DATE), (Amount, AMOUNT), (Cost, COST), (Currency, CURRENCY),
            (Product, PRODUCT), (Category, CATEGORY), (Quantity, QUANTITY), (Channel, CHANNEL),
            (Status, ORDER_STATUS), (RefundStatus, REFUND_STATUS),
        ],
        ImportKind::Interactions => &[
            (ExternalId, EXTERNAL_ID), (Name, &NAME_FOR_ACTIVITY), (Phone, PHONE_NUMBER), (Email, EMAIL),
            (InteractionType, INTERACTION_TYPE), (Date, INTERACTION_DATE), (Outcome, OUTCOME),
            (Notes, INTERACTION_NOTES), (NextFollowUp, NEXT_FOLLOW_UP), (Owner, OWNER),
        ],
        ImportKind::SurveyResponses => &[
            (ExternalId, EXTERNAL_ID), (Name, &NAME_FOR_ACTIVITY), (Phone, PHONE), (Email, EMAIL),
            (SurveyType, SURVEY_TYPE), (Score, SCORE), (Comment, COMMENT), (Date, SURVEY_DATE),
        ],
        ImportKind::Complaints => &[
            (ExternalId, EXTERNAL_ID), (Name, &NAME_FOR_ACTIVITY), (Phone, PHONE), (Email, EMAIL),
            (Date, COMPLAINT_DATE), (Category, COMPLAINT_CATEGORY), (Severity, SEVERITY), (Status, STATUS),
            (Description, DESCRIPTION), (ResolvedAt, RESOLVED_AT), (Resolution, RESOLUTION),
            (FirstResponseAt, FIRST_RESPONSE_AT),
        ],
    }
}

/// In an order or interaction file, 名称 names the product, not the customer: [`NAME`]
/// without the words that only say "name".
#[rustfmt::skip]
const NAME_FOR_ACTIVITY: [&str; 10] = [
    "客户名称", "客户姓名", "客户名", "姓名", "会员名称", "会员姓名", "客户",
    "customername", "customer", "clientname",
];

/// The fields a kind can import, in a stable order.
pub fn fields(kind: ImportKind) -> impl Iterator<Item = Field> {
    synonyms(kind).iter().map(|(f, _)| *f)
}

/// Fields without which no row of the kind can be imported. Activity kinds also need one
/// of external id, phone, email or name to find the customer (see [`missing_fields`]).
pub fn required_fields(kind: ImportKind) -> &'static [Field] {
    match kind {
        ImportKind::Customers => &[Field::Name],
        ImportKind::Orders => &[Field::Date, Field::Amount],
        ImportKind::Interactions => &[Field::InteractionType, Field::Date],
        ImportKind::SurveyResponses => &[Field::SurveyType, Field::Score, Field::Date],
        ImportKind::Complaints => &[Field::Date, Field::Category],
    }
}

/// The columns an activity row can name its customer by, strongest first: any one will do.
pub const CUSTOMER_KEYS: [Field; 4] = [Field::ExternalId, Field::Phone, Field::Email, Field::Name];

/// Required fields the mapping leaves out. An activity file with no column of
/// [`CUSTOMER_KEYS`] misses [`Field::ExternalId`], which stands for all four.
pub fn missing_fields(kind: ImportKind, mapping: &Mapping) -> Vec<Field> {
    let mut missing: Vec<Field> =
        required_fields(kind).iter().copied().filter(|f| !mapping.0.contains_key(f)).collect();
    if kind != ImportKind::Customers && !CUSTOMER_KEYS.iter().any(|f| mapping.0.contains_key(f)) {
        missing.push(Field::ExternalId);
    }
    missing
}

/// Guesses the mapping from the headers: a platform's order export gets the platform's
/// mapping ([`Platform::mapping`]); otherwise each column whose normalised header is a synonym
/// of a field gets that field; when several columns name the same field, the one with the
/// more specific synonym (earlier in the list) wins, then the leftmost.
pub fn auto_mapping(kind: ImportKind, headers: &[String]) -> Mapping {
    if let Some(platform) = platform_of(kind, headers) {
        return platform.mapping(headers);
    }
    // The columns of each normalised header, left to right: a file of a hundred thousand
    // columns is looked up, not scanned once per synonym.
    let mut columns: HashMap<String, Vec<usize>> = HashMap::new();
    for (column, header) in headers.iter().enumerate() {
        columns.entry(normalise_header(header)).or_default().push(column);
    }
    let mut best: BTreeMap<Field, (usize, usize)> = BTreeMap::new(); // field → (synonym rank, column)
    let mut taken = vec![false; headers.len()];
    // Fields earlier in the kind's list claim a column first, so 类型 in a survey file is the
    // survey type, and a column is never given to two fields.
    for (field, words) in synonyms(kind) {
        let found = words.iter().enumerate().find_map(|(rank, word)| {
            let free = columns.get(*word)?.iter().find(|c| !taken[**c])?;
            Some((rank, *free))
        });
        if let Some((rank, column)) = found {
            best.insert(*field, (rank, column));
            taken[column] = true;
        }
    }
    Mapping(best.into_iter().map(|(field, (_, column))| (field, headers[column].clone())).collect())
}

/// The platform whose order export these headers are (order files only).
pub fn platform_of(kind: ImportKind, headers: &[String]) -> Option<Platform> {
    if kind == ImportKind::Orders {
        Platform::detect(headers)
    } else {
        None
    }
}

/// The column a mapped header names: the same text, else the same normalised text.
pub fn column_of(headers: &[String], header: &str) -> Option<usize> {
    let trimmed = header.trim();
    headers.iter().position(|h| h.trim() == trimmed).or_else(|| {
        let wanted = normalise_header(header);
        headers.iter().position(|h| normalise_header(h) == wanted)
    })
}

/// The key a mapping is saved under: the normalised headers in file order.
pub fn headers_key(headers: &[String]) -> String {
    serde_json::to_string(&headers.iter().map(|h| normalise_header(h)).collect::<Vec<_>>()).unwrap_or_default()
}

/// The mapping last confirmed for files of this kind with these headers.
pub fn saved_mapping(conn: &Connection, kind: ImportKind, headers: &[String]) -> Result<Option<Mapping>> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT mapping FROM import_mappings WHERE kind = ?1 AND headers = ?2",
            params![kind.as_str(), headers_key(headers)],
            |r| r.get(0),
        )
        .optional()?;
    // A mapping saved by a later version with fields this one lacks is ignored, not fatal.
    Ok(stored.and_then(|json| serde_json::from_str(&json).ok()))
}

/// Remembers a mapping for files of this kind with these headers.
pub fn save_mapping(
    conn: &Connection,
    kind: ImportKind,
    headers: &[String],
    mapping: &Mapping,
    now: DateTime<Utc>,
) -> Result<()> {
    let json = serde_json::to_string(mapping).map_err(|e| crate::Error::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO import_mappings (kind, headers, mapping, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, headers) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
        params![kind.as_str(), headers_key(headers), json, timestamp(now)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn headers_are_compared_without_width_case_spacing_or_units() {
        assert_eq!(normalise_header(" Order_Date "), "orderdate");
        assert_eq!(normalise_header("订单金额（元）"), "订单金额");
        assert_eq!(normalise_header("ＥＭＡＩＬ"), "email");
        assert_eq!(normalise_header("E-mail*"), "email");
        assert_eq!(normalise_header("\u{feff}客户编号"), "客户编号");
    }

    #[test]
    fn chinese_order_headers_map_to_their_fields() {
        let h = headers(&[
            "订单编号",
            "客户ID",
            "客户名称",
            "手机号码",
            "下单日期",
            "商品名称",
            "类别",
            "数量",
            "实付金额(元)",
            "渠道",
            "备注",
        ]);
        let m = auto_mapping(ImportKind::Orders, &h);
        assert_eq!(m.0.get(&Field::OrderNumber).map(String::as_str), Some("订单编号"));
        assert_eq!(m.0.get(&Field::ExternalId).map(String::as_str), Some("客户ID"));
        assert_eq!(m.0.get(&Field::Name).map(String::as_str), Some("客户名称"));
        assert_eq!(m.0.get(&Field::Phone).map(String::as_str), Some("手机号码"));
        assert_eq!(m.0.get(&Field::Date).map(String::as_str), Some("下单日期"));
        assert_eq!(m.0.get(&Field::Product).map(String::as_str), Some("商品名称"));
        assert_eq!(m.0.get(&Field::Category).map(String::as_str), Some("类别"));
        assert_eq!(m.0.get(&Field::Amount).map(String::as_str), Some("实付金额(元)"));
        assert_eq!(m.0.get(&Field::Channel).map(String::as_str), Some("渠道"));
        assert!(missing_fields(ImportKind::Orders, &m).is_empty());
    }

    #[test]
    fn the_more_specific_header_wins_a_field() {
        let h = headers(&["日期", "下单日期", "金额"]);
        let m = auto_mapping(ImportKind::Orders, &h);
        assert_eq!(m.0.get(&Field::Date).map(String::as_str), Some("下单日期"));
    }

    #[test]
    fn english_customer_headers_map_and_missing_name_is_reported() {
        let h = headers(&[
            "Customer ID",
            "Name",
            "Mobile",
            "E-mail",
            "Company",
            "City",
            "Owner",
            "Tags",
            "Source",
            "Industry",
        ]);
        let m = auto_mapping(ImportKind::Customers, &h);
        assert_eq!(m.0.len(), 10, "{m:?}");
        assert!(missing_fields(ImportKind::Customers, &m).is_empty());
        let none = auto_mapping(ImportKind::Customers, &headers(&["foo", "bar"]));
        assert_eq!(missing_fields(ImportKind::Customers, &none), vec![Field::Name]);
    }

    #[test]
    fn one_header_serves_one_field_per_kind() {
        let survey = auto_mapping(ImportKind::SurveyResponses, &headers(&["会员编号", "类型", "评分", "评论", "日期"]));
        assert_eq!(survey.0.get(&Field::SurveyType).map(String::as_str), Some("类型"));
        let interaction =
            auto_mapping(ImportKind::Interactions, &headers(&["客户编号", "方式", "时间", "结果", "备注", "下次跟进"]));
        assert_eq!(interaction.0.get(&Field::InteractionType).map(String::as_str), Some("方式"));
        assert_eq!(interaction.0.get(&Field::NextFollowUp).map(String::as_str), Some("下次跟进"));
        assert!(missing_fields(ImportKind::Interactions, &interaction).is_empty());
    }

    #[test]
    fn every_activity_kind_finds_the_customer_column_as_orders_do() {
        let activity =
            [ImportKind::Orders, ImportKind::Interactions, ImportKind::SurveyResponses, ImportKind::Complaints];
        let cases: [(&str, Field); 11] = [
            ("客户编号", Field::ExternalId),
            ("Customer ID", Field::ExternalId),
            ("手机", Field::Phone),
            ("电话", Field::Phone),
            ("联系电话", Field::Phone),
            ("移动电话", Field::Phone),
            ("Mobile", Field::Phone),
            ("邮箱", Field::Email),
            ("E-mail", Field::Email),
            ("客户名称", Field::Name),
            ("Customer name", Field::Name),
        ];
        for kind in activity {
            for (header, field) in cases {
                let m = auto_mapping(kind, &headers(&[header]));
                assert_eq!(m.0.get(&field).map(String::as_str), Some(header), "{kind:?}: {header}");
                assert!(
                    !missing_fields(kind, &m).contains(&Field::ExternalId),
                    "{kind:?}: {header} names the customer"
                );
            }
            let none = auto_mapping(kind, &headers(&["备注"]));
            assert!(missing_fields(kind, &none).contains(&Field::ExternalId), "{kind:?} without a customer column");
        }
    }

    #[test]
    fn in_an_interaction_log_the_way_of_contact_is_the_interaction_type() {
        let m = auto_mapping(ImportKind::Interactions, &headers(&["手机", "联系方式", "日期"]));
        assert_eq!(m.0.get(&Field::Phone).map(String::as_str), Some("手机"));
        assert_eq!(m.0.get(&Field::InteractionType).map(String::as_str), Some("联系方式"));
        let customers = auto_mapping(ImportKind::Customers, &headers(&["客户名称", "联系方式"]));
        assert_eq!(customers.0.get(&Field::Phone).map(String::as_str), Some("联系方式"));
    }
}

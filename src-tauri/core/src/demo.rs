//! Demo data: a believable small business selling electronic parts and office supplies, with
//! a few head accounts, a long tail of small buyers, low-value customers who cost service
//! time, churned and won-back customers, prospects, and years of orders, interactions,
//! complaints, survey answers and loyalty points.
//!
//! The same seed, size and end date always give the same database. Rows are written with
//! prepared statements in the caller's transaction, so a million customers take seconds.
//!
//! The app shows it from its own file beside the user's database ([`open_beside`]).

use crate::customers::sort_key::{name_sort_key, text_sort_key};
use crate::customers::{email_key, name_key, phone_key, timestamp};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::paths::demo_db_path;
use crate::search;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{params, Connection};
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSettings {
    pub customers: u32,
    pub seed: u64,
    /// The last day with activity; history runs back `years` from here.
    pub until: NaiveDate,
    pub years: u32,
}

impl DemoSettings {
    pub const DEFAULT_CUSTOMERS: u32 = 2_000;
    pub const MAX_CUSTOMERS: u32 = 5_000_000;
    /// The seed of the app's demo database and of `headtail demo` unless given.
    pub const DEFAULT_SEED: u64 = 42;

    pub fn new(customers: u32, seed: u64, until: NaiveDate) -> Self {
        Self { customers, seed, until, years: 4 }
    }

    fn validate(&self) -> Result<()> {
        if !(1..=Self::MAX_CUSTOMERS).contains(&self.customers) {
            return Err(Error::InvalidArgument(format!(
                "the number of demo customers must be between 1 and {}",
                Self::MAX_CUSTOMERS
            )));
        }
        if !(1..=20).contains(&self.years) {
            return Err(Error::InvalidArgument("demo history must span 1 to 20 years".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct DemoSummary {
    pub customers: u64,
    pub contacts: u64,
    pub orders: u64,
    pub order_lines: u64,
    pub interactions: u64,
    pub complaints: u64,
    pub survey_responses: u64,
    pub loyalty_entries: u64,
    pub service_costs: u64,
}

/// Opens the demo database beside the user's database `own` ([`demo_db_path`]). On first use
/// it is filled with the default demo business up to `today`; later it is reused as it was
/// left, and the summary is empty.
pub fn open_beside(own: &std::path::Path, today: NaiveDate, now: DateTime<Utc>) -> Result<(Database, DemoSummary)> {
    let db = Database::open(&demo_db_path(own))?;
    let empty: bool =
        db.with_conn(|c| Ok(c.query_row("SELECT NOT EXISTS (SELECT 1 FROM customers)", [], |r| r.get(0))?))?;
    let summary = if empty {
        let settings = DemoSettings::new(DemoSettings::DEFAULT_CUSTOMERS, DemoSettings::DEFAULT_SEED, today);
        db.with_tx(|tx| generate(tx, settings, now, |_, _| {}))?
    } else {
        DemoSummary::default()
    };
    Ok((db, summary))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Archetype {
    Head,
    LongTail,
    LowValue,
    Churned,
    WonBack,
    Prospect,
}

fn archetype(rng: &mut ChaCha8Rng) -> Archetype {
    match rng.random_range(0..1000) {
        0..20 => Archetype::Head,
        20..120 => Archetype::Prospect,
        120..270 => Archetype::LowValue,
        270..390 => Archetype::Churned,
        390..420 => Archetype::WonBack,
        _ => Archetype::LongTail,
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "晓东", "志强", "海燕", "雪梅", "文博", "子涵", "思远", "浩然", "欣怡", "宇轩", "梓萱",
    "俊杰",
];
const CITIES: &[(&str, &str)] = &[
    ("深圳", "广东"),
    ("广州", "广东"),
    ("东莞", "广东"),
    ("上海", "上海"),
    ("杭州", "浙江"),
    ("宁波", "浙江"),
    ("苏州", "江苏"),
    ("南京", "江苏"),
    ("北京", "北京"),
    ("成都", "四川"),
    ("武汉", "湖北"),
    ("西安", "陕西"),
    ("厦门", "福建"),
    ("长沙", "湖南"),
    ("天津", "天津"),
    ("青岛", "山东"),
];
const BRANDS: &[&str] = &[
    "华强", "鑫源", "恒达", "创新", "远航", "金诚", "博雅", "天成", "宏图", "嘉禾", "瑞丰", "新星", "联创", "顺发",
    "安泰", "汇通",
];
const TRADES: &[(&str, &str)] = &[
    ("电子有限公司", "电子制造"),
    ("科技有限公司", "信息技术"),
    ("贸易有限公司", "批发零售"),
    ("智能设备有限公司", "智能硬件"),
    ("文化传媒有限公司", "文化传媒"),
    ("教育咨询有限公司", "教育"),
    ("物流有限公司", "物流"),
    ("餐饮管理有限公司", "餐饮"),
];
const MANAGERS: &[&str] = &["陈经理", "王经理", "李经理", "Anna Zhou"];
const PRODUCTS: &[(&str, &str, i64)] = &[
    ("贴片电阻套装", "电子元器件", 3_500),
    ("电解电容 100 只", "电子元器件", 2_800),
    ("STM32 开发板", "电子元器件", 8_900),
    ("A4 复印纸 5 包", "办公用品", 12_900),
    ("中性笔 24 支", "办公用品", 2_600),
    ("文件柜", "办公用品", 69_900),
    ("Type-C 数据线", "数码配件", 1_990),
    ("65W 氮化镓充电器", "数码配件", 12_900),
    ("蓝牙耳机", "数码配件", 19_900),
    ("焊台", "工具耗材", 39_900),
    ("焊锡丝", "工具耗材", 3_900),
    ("企业定制礼盒", "礼品定制", 158_000),
];
const RETAIL_CHANNELS: &[&[&str]] = &[&["online_shop"], &["marketplace"], &["store"], &["marketplace", "online_shop"]];
const FOLLOW_UP_REASONS: &[&str] = &["回访报价", "确认样品反馈", "跟进订单", "约下次拜访", "了解新需求"];
const OUTCOMES: &[&str] = &["已报价", "客户有意向", "约好下次拜访", "已解决问题", "暂无需求", "已下单", "需要样品"];
const COMPLAINT_CATEGORIES: &[&str] = &["物流延误", "质量问题", "发票问题", "售后响应慢", "发错货"];
const COMPLAINT_RESOLUTIONS: &[&str] = &["已补发并致歉", "已退款", "已重开发票", "已安排专人回访", "已换货"];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A positive amount around `median` with a long right tail (log-normal).
fn log_normal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    let (u1, u2): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    median * (sigma * z).exp()
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

fn mobile(rng: &mut ChaCha8Rng) -> String {
    let prefix = pick(rng, &["135", "136", "138", "139", "150", "158", "186", "188", "177", "199"]);
    format!("{prefix}{:08}", rng.random_range(0..100_000_000u32))
}

/// Fills an empty database; refuses one that already holds customers.
pub fn generate(
    conn: &Connection,
    settings: DemoSettings,
    now: DateTime<Utc>,
    progress: impl FnMut(u32, u32),
) -> Result<DemoSummary> {
    settings.validate()?;
    let existing: i64 = conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
    if existing > 0 {
        return Err(Error::Conflict(format!(
            "the database already holds {existing} customers; demo data goes into a new file"
        )));
    }
    crate::db::with_bulk_cache(conn, || {
        let summary = crate::db::with_indexes_deferred(conn, BULK_TABLES, || {
            // Every value is made here from fixed lists and enums, valid by construction.
            crate::db::without_check_constraints(conn, || fill(conn, settings, now, progress))
        })?;
        // Every demo customer is made today with years of orders behind them.
        crate::customers::since::refresh_all(conn)?;
        search::reindex_all(conn)?;
        Ok(summary)
    })
}

const BULK_TABLES: &[&str] = &[
    "customers",
    "customer_tags",
    "contacts",
    "orders",
    "order_lines",
    "interactions",
    "follow_ups",
    "complaints",
    "survey_responses",
    "loyalty_ledger",
    "service_costs",
];

fn fill(
    conn: &Connection,
    settings: DemoSettings,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u32, u32),
) -> Result<DemoSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let until = settings.until;
    let span_days = i64::from(settings.years) * 365;
    let start = until - Duration::days(span_days);
    let created = timestamp(now);

    let mut customer = conn.prepare(
        "INSERT INTO customers (id, name, kind, company, phone, email, region, owner, notes, external_id, size_class,
                                industry, source, is_kol, referred_by, needs, preferences, pipeline_stage,
                                phone_key, email_key, name_key, name_sort, company_sort, owner_sort, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
                 ?25, ?25)",
    )?;
    let mut tag = conn.prepare("INSERT INTO customer_tags (customer_id, tag) VALUES (?1, ?2)")?;
    let mut channel = conn.prepare("INSERT INTO customer_channels (customer_id, channel) VALUES (?1, ?2)")?;
    let mut contact = conn.prepare(
        "INSERT INTO contacts (customer_id, name, title, phone, email, is_primary, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut order = conn.prepare(
        "INSERT INTO orders (id, customer_id, external_id, ordered_on, amount_minor, currency, cost_minor, channel)
         VALUES (?1, ?2, ?3, ?4, ?5, 'CNY', ?6, ?7)",
    )?;
    let mut line = conn.prepare(
        "INSERT INTO order_lines (order_id, product, category, quantity, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut interaction = conn.prepare(
        "INSERT INTO interactions (customer_id, kind, occurred_at, outcome, notes, owner) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    // Straight inserts like every other table here: a million customers' worth goes through
    // one prepared statement, and every value is valid by construction.
    let mut follow_up = conn.prepare(
        "INSERT INTO follow_ups (customer_id, due_at, owner, reason, source, interaction_id, created_at, completed_at)
         VALUES (?1, ?2, ?3, ?4, 'interaction', ?5, ?6, ?7)",
    )?;
    // Its own stream, so the follow-ups' times leave the rest of the business as it was.
    let mut follow_rng = ChaCha8Rng::seed_from_u64(settings.seed ^ 0x0f0f_f011);
    let mut complaint = conn.prepare(
        "INSERT INTO complaints (customer_id, opened_at, category, severity, status, description, resolved_at,
                                 resolution, first_response_at, response_due_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut response = conn.prepare(
        "INSERT INTO survey_responses (survey_id, customer_id, responded_on, score, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut loyalty = conn.prepare(
        "INSERT INTO loyalty_ledger (customer_id, occurred_on, kind, points, order_id, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut service = conn.prepare(
        "INSERT INTO service_costs (customer_id, occurred_on, minutes, amount_minor, currency, notes) VALUES (?1, ?2, ?3, ?4, 'CNY', ?5)",
    )?;

    let mut survey_ids = [0i64; 3];
    let surveys = [
        (
            "nps",
            "年度 NPS 调查",
            "您向朋友或同事推荐我们的可能性有多大？",
            "How likely are you to recommend us to a friend or colleague?",
        ),
        ("csat", "订单满意度", "您对这次订单满意吗？", "How satisfied are you with this order?"),
        ("ces", "售后服务体验", "处理我的问题很容易。", "It was easy to handle my issue."),
    ];
    for (slot, (kind, name, question_zh, question_en)) in surveys.iter().enumerate() {
        conn.execute(
            "INSERT INTO surveys (kind, name, question_zh, question_en, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind, name, question_zh, question_en, created],
        )?;
        survey_ids[slot] = conn.last_insert_rowid();
    }

    let mut summary = DemoSummary::default();
    let mut order_id: i64 = 0;
    let mut influencers: Vec<i64> = Vec::new();
    let total = settings.customers;
    for n in 1..=total {
        let id = i64::from(n);
        let kind = archetype(&mut rng);
        let is_company = kind == Archetype::Head || rng.random_bool(0.2);
        let (city, province) = *pick(&mut rng, CITIES);
        let person = person_name(&mut rng);
        let (name, company, industry) = if is_company {
            let (suffix, trade) = *pick(&mut rng, TRADES);
            let company = format!("{city}市{}{suffix}", pick(&mut rng, BRANDS));
            (company.clone(), Some(company), Some(trade))
        } else {
            (person.clone(), None, None)
        };
        let phone = mobile(&mut rng);
        let email = rng
            .random_bool(0.6)
            .then(|| format!("c{n}@{}", pick(&mut rng, &["qq.com", "163.com", "126.com", "example.cn"])));
        let owner =
            (kind == Archetype::Head || (is_company && rng.random_bool(0.5))).then(|| *pick(&mut rng, MANAGERS));
        let size_class = match (kind, is_company) {
            (Archetype::Head, _) => {
                if rng.random_bool(0.6) {
                    "large"
                } else {
                    "smb"
                }
            }
            (_, true) => "smb",
            _ => "individual",
        };
        let is_kol = kind == Archetype::LongTail && rng.random_bool(0.01);
        let referred_by = (!influencers.is_empty() && rng.random_bool(0.05)).then(|| *pick(&mut rng, &influencers));
        let pipeline = (kind == Archetype::Prospect)
            .then(|| *pick(&mut rng, &["awareness", "interest", "interest", "decision", "lost"]));
        let source = *pick(&mut rng, &["淘宝店", "京东", "老客户介绍", "展会", "官网", "抖音", "线下门店"]);
        let needs = (kind == Archetype::Head).then_some("稳定供货、月结账期、专人对接");
        let preferences = (kind == Archetype::Head).then_some("偏好电话沟通，周二上午拜访");
        let notes = match kind {
            Archetype::LowValue => Some("咨询多、客单价低，优先引导自助服务"),
            Archetype::WonBack => Some("曾流失，经回访优惠后重新下单"),
            _ => None,
        };
        let external_id = format!("C{n:07}");
        customer.execute(params![
            id,
            name,
            if is_company { "company" } else { "person" },
            company,
            phone,
            email,
            if province == city { city.to_owned() } else { format!("{province} {city}") },
            owner,
            notes,
            external_id,
            size_class,
            industry,
            source,
            is_kol,
            referred_by,
            needs,
            preferences,
            pipeline,
            phone_key(&phone),
            email.as_deref().map(email_key),
            name_key(&name),
            name_sort_key(&name),
            company.as_deref().map(text_sort_key),
            owner.map(name_sort_key),
            created
        ])?;
        summary.customers += 1;
        if is_kol || kind == Archetype::Head {
            influencers.push(id);
        }

        let mut tags: Vec<&str> = Vec::new();
        match kind {
            Archetype::Head => tags.push("重点客户"),
            Archetype::LowValue => tags.push("高服务成本"),
            Archetype::WonBack => tags.push("召回成功"),
            _ => {}
        }
        if is_kol {
            tags.push("KOL");
        }
        if rng.random_bool(0.3) {
            tags.push(if province == "广东" { "华南" } else { "华东" });
        }
        for t in &tags {
            tag.execute(params![id, t])?;
        }
        let channels: &[&str] = match kind {
            Archetype::Head => &["phone_wechat", "store"],
            _ if is_company => &["online_shop", "phone_wechat"],
            _ => RETAIL_CHANNELS[rng.random_range(0..RETAIL_CHANNELS.len())],
        };
        for ch in channels {
            channel.execute(params![id, ch])?;
        }

        if is_company {
            let count = if kind == Archetype::Head { rng.random_range(2..=4) } else { 1 };
            for c in 0..count {
                let cname = if c == 0 { person.clone() } else { person_name(&mut rng) };
                let title = *pick(&mut rng, &["采购经理", "总经理", "财务", "技术负责人", "行政"]);
                let cphone = mobile(&mut rng);
                contact.execute(params![id, cname, title, cphone, Option::<String>::None, c == 0, created])?;
                summary.contacts += 1;
            }
        }

        // Purchase history: when it starts, how often, how much.
        let first_day = match kind {
            // Churned customers bought early and stopped more than a year ago.
            Archetype::Churned | Archetype::WonBack => rng.random_range(0..(span_days - 500).max(1)),
            _ => rng.random_range(0..span_days - 30),
        };
        let (gap_days, median_yuan, margin, last_day): (f64, f64, f64, i64) = match kind {
            Archetype::Head => (rng.random_range(8.0..25.0), 18_000.0, 0.28, span_days),
            Archetype::LongTail => (rng.random_range(40.0..240.0), 180.0, 0.35, span_days),
            Archetype::LowValue => (rng.random_range(120.0..400.0), 25.0, 0.12, span_days),
            Archetype::Churned => {
                (rng.random_range(30.0..120.0), 220.0, 0.33, (first_day + 400).min(span_days - 380).max(first_day))
            }
            Archetype::WonBack => (rng.random_range(30.0..90.0), 260.0, 0.33, span_days),
            Archetype::Prospect => (0.0, 0.0, 0.0, -1),
        };
        let mut day = first_day;
        let mut dormant_from = None;
        if kind == Archetype::WonBack {
            // A long silence of more than a year, then purchases again in the last months.
            dormant_from = Some(rng.random_range(first_day..(span_days - 500).max(first_day + 1)));
        }
        let mut points_balance: i64 = 0;
        let member = matches!(kind, Archetype::LongTail | Archetype::WonBack) && rng.random_bool(0.3);
        while kind != Archetype::Prospect && day <= last_day {
            let date = start + Duration::days(day);
            order_id += 1;
            let amount = (log_normal(&mut rng, median_yuan, 0.6) * 100.0).round().max(500.0) as i64;
            let cost =
                (rng.random_bool(0.85)).then(|| (amount as f64 * (1.0 - margin) * rng.random_range(0.9..1.1)) as i64);
            let order_channel = *pick(&mut rng, channels);
            order.execute(params![order_id, id, format!("SO{order_id:09}"), date, amount, cost, order_channel])?;
            summary.orders += 1;
            let line_count = if kind == Archetype::Head {
                rng.random_range(1..=4)
            } else if rng.random_bool(0.2) {
                2
            } else {
                1
            };
            let mut left = amount;
            for l in 0..line_count {
                let (product, category, _) = *pick(&mut rng, PRODUCTS);
                let part = if l + 1 == line_count { left } else { left / 2 };
                left -= part;
                line.execute(params![order_id, product, category, rng.random_range(1..=20), part])?;
                summary.order_lines += 1;
            }
            if member {
                let earned = amount / 100;
                loyalty.execute(params![id, date, "earn", earned, order_id, Option::<&str>::None])?;
                points_balance += earned;
                summary.loyalty_entries += 1;
                if points_balance > 500 && rng.random_bool(0.3) {
                    loyalty.execute(params![id, date, "redeem", -300, Option::<i64>::None, "积分抵现"])?;
                    points_balance -= 300;
                    summary.loyalty_entries += 1;
                }
            }
            let step = (gap_days * rng.random_range(0.3..1.7)).max(1.0) as i64;
            day += step;
            if dormant_from.is_some_and(|from| day >= from) && day <= span_days {
                day = rng.random_range((span_days - 90).max(day)..=span_days);
                dormant_from = None;
            }
        }
        if referred_by.is_some() && member {
            loyalty.execute(params![
                referred_by,
                until - Duration::days(rng.random_range(0..span_days)),
                "referral_reward",
                200,
                Option::<i64>::None,
                "推荐新客户奖励"
            ])?;
            summary.loyalty_entries += 1;
        }

        // Interactions: close contact with head accounts, a few calls otherwise.
        let touches = match kind {
            Archetype::Head => (span_days - first_day) / 30,
            Archetype::Prospect => rng.random_range(1..=3),
            Archetype::LowValue => rng.random_range(1..=4),
            _ => i64::from(rng.random_bool(0.15)),
        };
        for t in 0..touches {
            let back = if kind == Archetype::Head {
                t * 30 + rng.random_range(0..20)
            } else {
                rng.random_range(0..span_days - first_day)
            };
            let date = until - Duration::days(back.min(span_days));
            let at =
                date.and_hms_opt(rng.random_range(9..18), *pick(&mut rng, &[0, 15, 30, 45]), 0).unwrap_or_default();
            let recent = back < 45;
            let follow_up_on = (recent && rng.random_bool(0.7)).then(|| date + Duration::days(rng.random_range(3..30)));
            let kind_text = *pick(&mut rng, &["call", "call", "visit", "email", "message", "meeting"]);
            let outcome = *pick(&mut rng, OUTCOMES);
            let owner = owner.unwrap_or("客服小刘");
            interaction.execute(params![id, kind_text, at, outcome, Option::<&str>::None, owner])?;
            if let Some(mut due_on) = follow_up_on {
                // A share falls due today, so the agenda has something for every bucket;
                // those due more than a week ago were done.
                if follow_rng.random_bool(0.2) {
                    due_on = until;
                }
                let due_at = due_on
                    .and_hms_opt(follow_rng.random_range(9..18), *pick(&mut follow_rng, &[0, 30]), 0)
                    .unwrap_or_default();
                let done = due_on < until - Duration::days(7);
                let reason = *pick(&mut follow_rng, FOLLOW_UP_REASONS);
                follow_up.execute(params![
                    id,
                    due_at,
                    owner,
                    reason,
                    conn.last_insert_rowid(),
                    created,
                    done.then_some(&created)
                ])?;
            }
            summary.interactions += 1;
        }
        // Service time: low-value customers ask a lot for little.
        let service_entries = match kind {
            Archetype::LowValue => rng.random_range(2..=6),
            Archetype::Head => rng.random_range(3..=8),
            _ => i64::from(rng.random_bool(0.05)),
        };
        for _ in 0..service_entries {
            let date = until - Duration::days(rng.random_range(0..365));
            service.execute(params![
                id,
                date,
                rng.random_range(15..90),
                rng.random_range(0..3) * 1_000,
                "售前咨询与售后处理"
            ])?;
            summary.service_costs += 1;
        }
        // Complaints.
        let complaint_odds = match kind {
            Archetype::LowValue => 0.4,
            Archetype::Churned => 0.2,
            Archetype::Head => 0.3,
            _ => 0.03,
        };
        if rng.random_bool(complaint_odds) {
            let opened = (until - Duration::days(rng.random_range(0..700)))
                .and_hms_opt(rng.random_range(9..18), 0, 0)
                .unwrap_or_default();
            let open = opened.date() > until - Duration::days(20) && rng.random_bool(0.7);
            let resolved = (!open).then(|| opened + Duration::hours(rng.random_range(2..240)));
            // Head accounts are VIP (4 h to a first response), the rest standard (24 h). Resolved
            // ones were first answered a quarter of the way to their resolution; open ones wait.
            let due = opened + Duration::hours(if kind == Archetype::Head { 4 } else { 24 });
            let first_response = resolved.map(|at| opened + (at - opened) / 4);
            let resolution = resolved.map(|_| COMPLAINT_RESOLUTIONS[(id as usize) % COMPLAINT_RESOLUTIONS.len()]);
            complaint.execute(params![
                id,
                opened,
                *pick(&mut rng, COMPLAINT_CATEGORIES),
                *pick(&mut rng, &["low", "medium", "medium", "high", "critical"]),
                if open { "open" } else { "resolved" },
                "客户反馈问题，已记录",
                resolved,
                resolution,
                first_response,
                due
            ])?;
            summary.complaints += 1;
        }
        // Survey answers: head accounts yearly NPS, others now and then.
        let (nps_low, nps_high) = match kind {
            Archetype::Head => (7, 10),
            Archetype::LowValue | Archetype::Churned => (0, 7),
            _ => (5, 10),
        };
        let answers =
            if kind == Archetype::Head { i64::from(settings.years) } else { i64::from(rng.random_bool(0.12)) };
        for a in 0..answers {
            let date = until - Duration::days(a * 365 + rng.random_range(0..60));
            let score = rng.random_range(nps_low..=nps_high);
            response.execute(params![survey_ids[0], id, date, score, (score <= 6).then_some("响应太慢，价格偏高")])?;
            summary.survey_responses += 1;
        }
        if kind != Archetype::Prospect && rng.random_bool(0.1) {
            let date = until - Duration::days(rng.random_range(0..365));
            response.execute(params![survey_ids[1], id, date, rng.random_range(3..=5), Option::<&str>::None])?;
            response.execute(params![survey_ids[2], id, date, rng.random_range(2..=7), Option::<&str>::None])?;
            summary.survey_responses += 2;
        }
        if n % 10_000 == 0 || n == total {
            progress(n, total);
        }
    }
    Ok(summary)
}

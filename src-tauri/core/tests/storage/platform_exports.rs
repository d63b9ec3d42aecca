//! Order exports of the platforms small shops sell on (`tests/data/platforms`), imported as
//! they come: no mapping, the buyer's account as the key, the paid amount, the creation time,
//! the mobile, and closed, cancelled or refunded orders kept but counted nowhere.

use super::{at, temp_db};
use headtail_core::customers::SalesChannel;
use headtail_core::evaluation::{load, EvaluationSettings};
use headtail_core::import::{
    import_file, preview_file, ImportKind, ImportOptions, ImportReport, ImportStatus, Platform, Reason,
};
use headtail_core::orders::OrderStatus;
use headtail_core::timeline::{self, TimelinePayload, TimelineQuery};
use headtail_core::Database;
use std::path::{Path, PathBuf};

fn platform_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/platforms").join(name)
}

fn import(db: &Database, path: &Path, options: &ImportOptions) -> ImportReport {
    db.with_conn(|c| import_file(c, path, options, at(31), |_| {})).expect("import runs")
}

/// A customer the file should leave: found by key (or phone when the platform gives no
/// account), with its name, mobile, and the purchases and revenue that count.
struct Buyer {
    key: Option<&'static str>,
    name: &'static str,
    phone: Option<&'static str>,
    purchases: u32,
    revenue_minor: i64,
}

/// An order of the file: number, day in March 2026, amount paid, status.
type Order = (&'static str, u32, i64, Option<OrderStatus>);

struct Export {
    file: &'static str,
    platform: Platform,
    channel: SalesChannel,
    buyers: &'static [Buyer],
    orders: &'static [Order],
    /// Rows whose buyer is masked through and through.
    masked_rows: u64,
    /// Orders written on several item rows, each repeating the order's paid amount: lines.
    multi_line: &'static [(&'static str, i64)],
}

const fn buyer(
    key: Option<&'static str>,
    name: &'static str,
    phone: Option<&'static str>,
    purchases: u32,
    revenue_minor: i64,
) -> Buyer {
    Buyer { key, name, phone, purchases, revenue_minor }
}

const CANCELLED: Option<OrderStatus> = Some(OrderStatus::Cancelled);
const REFUNDED: Option<OrderStatus> = Some(OrderStatus::Refunded);
const UNPAID: Option<OrderStatus> = Some(OrderStatus::Unpaid);

const EXPORTS: &[Export] = &[
    Export {
        file: "taobao.csv",
        platform: Platform::Taobao,
        channel: SalesChannel::Marketplace,
        buyers: &[
            buyer(Some("taobao:tb_wangfang88"), "王芳", Some("13811112222"), 2, 23_800 + 51_230),
            // Receiver's name and mobile masked: named by the account, no phone.
            buyer(Some("taobao:lihua_2019"), "lihua_2019", None, 0, 0),
            // The landline column is filled; the mobile is the phone.
            buyer(Some("taobao:zhang_wei_sh"), "张伟", Some("13700001111"), 1, 7_650),
        ],
        orders: &[
            ("3698521470123456789", 1, 23_800, None),
            // Created on the 12th, paid on the 13th; 512.30 paid of 530.00 in all.
            ("3698521470123456790", 12, 51_230, None),
            ("3698521470123456791", 5, 12_900, CANCELLED),
            ("3698521470123456792", 18, 0, UNPAID),
            ("3698521470123456793", 20, 7_650, None),
        ],
        masked_rows: 0,
        multi_line: &[],
    },
    Export {
        file: "jd.csv",
        platform: Platform::Jd,
        channel: SalesChannel::Marketplace,
        buyers: &[
            buyer(Some("jd:jd_liuyang"), "刘洋", None, 1, 17_900),
            buyer(Some("jd:chenjing_1990"), "陈静", Some("13912345678"), 1, 109_900),
        ],
        orders: &[
            ("250301123456", 2, 17_900, None),
            ("250305987654", 5, 8_900, CANCELLED),
            // 应付金额 1,099.00, not 订单金额 1,199.00, on each of its two item rows.
            ("250310555555", 10, 109_900, None),
        ],
        masked_rows: 0,
        multi_line: &[("250310555555", 2)],
    },
    Export {
        file: "pinduoduo.csv",
        platform: Platform::Pinduoduo,
        channel: SalesChannel::Marketplace,
        buyers: &[
            buyer(None, "赵敏", Some("13566667777"), 1, 17_400),
            buyer(None, "孙丽", Some("13688889999"), 1, 29_900),
        ],
        orders: &[
            ("260303-123456789012345", 3, 17_400, None),
            // Signed for, then refunded in after-sales.
            ("260308-223456789012345", 8, 7_900, REFUNDED),
            ("260309-323456789012345", 9, 3_590, REFUNDED),
            ("260315-523456789012345", 15, 29_900, None),
        ],
        masked_rows: 1,
        multi_line: &[],
    },
    Export {
        file: "youzan.csv",
        platform: Platform::Youzan,
        channel: SalesChannel::OnlineShop,
        buyers: &[
            buyer(Some("youzan:15011112222"), "林小鹿", Some("15011112222"), 1, 12_800),
            // The partly refunded order counts at what was paid.
            buyer(Some("youzan:15233334444"), "黄磊", Some("15233334444"), 1, 25_600),
        ],
        orders: &[
            ("E20260304102030012345", 4, 12_800, None),
            ("E20260306113000012346", 6, 0, CANCELLED),
            ("E20260307090000012347", 7, 25_600, None),
            ("E20260309160000012348", 9, 9_900, REFUNDED),
        ],
        masked_rows: 0,
        multi_line: &[],
    },
    Export {
        file: "weidian.csv",
        platform: Platform::Weidian,
        channel: SalesChannel::OnlineShop,
        buyers: &[
            buyer(Some("weidian:1234567890"), "吴晓", Some("18600001111"), 1, 9_800),
            buyer(Some("weidian:2233445566"), "郑宇", Some("13900002222"), 1, 128_000),
        ],
        orders: &[
            ("791234567890", 5, 9_800, None),
            ("791234567891", 6, 5_600, CANCELLED),
            // ¥1,280.00
            ("791234567892", 8, 128_000, None),
            // 25.00元, refunded
            ("791234567893", 12, 2_500, REFUNDED),
        ],
        masked_rows: 0,
        multi_line: &[],
    },
    Export {
        file: "wechat_shop.csv",
        platform: Platform::WechatShop,
        channel: SalesChannel::OnlineShop,
        buyers: &[
            buyer(Some("wechat:o7Xk_5dQ2aLm1V9bGz0HqR3tYu8E"), "马丽", Some("15800003333"), 1, 5_490),
            buyer(Some("wechat:o7Xk_5c8Pq2Wn4Rt6Yu1Io3As5Df"), "许强", Some("13700005555"), 1, 5_490),
        ],
        orders: &[
            ("3712345678901234567", 10, 5_490, None),
            ("3712345678901234568", 11, 3_900, CANCELLED),
            ("3712345678901234569", 14, 11_000, REFUNDED),
            ("3712345678901234570", 18, 5_490, None),
        ],
        masked_rows: 0,
        multi_line: &[],
    },
];

fn customer_id(db: &Database, b: &Buyer) -> i64 {
    let (sql, value) = match b.key {
        Some(key) => ("SELECT id FROM customers WHERE external_id = ?1", key),
        None => ("SELECT id FROM customers WHERE phone = ?1", b.phone.unwrap_or_default()),
    };
    db.with_conn(|c| Ok(c.query_row(sql, [value], |r| r.get(0))?))
        .unwrap_or_else(|e| panic!("customer {:?} / {:?}: {e}", b.key, b.phone))
}

fn check(export: &Export) {
    let (_dir, db) = temp_db();
    let path = platform_file(export.file);
    let preview =
        db.with_conn(|c| preview_file(c, &path, &ImportOptions::new(ImportKind::Orders), 5)).expect("preview");
    assert_eq!(preview.platform, Some(export.platform), "{}", export.file);
    assert!(preview.missing_fields.is_empty(), "{}: {:?}", export.file, preview.missing_fields);

    let options = ImportOptions { skip_bad_rows: export.masked_rows > 0, ..ImportOptions::new(ImportKind::Orders) };
    let report = import(&db, &path, &options);
    assert_eq!(report.status, ImportStatus::Imported, "{}: {:?}", export.file, report.errors);
    assert_eq!(report.platform, Some(export.platform));
    assert_eq!(report.bad_rows, export.masked_rows, "{}: {:?}", export.file, report.errors);
    assert!(report.errors.iter().all(|e| e.reason == Reason::MaskedCustomer), "{:?}", report.errors);
    assert_eq!(report.created, export.orders.len() as u64, "{}", export.file);
    assert_eq!(report.customers_created, export.buyers.len() as u64, "{}", export.file);

    let masked: i64 = db
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM customers WHERE external_id LIKE '%*%' OR phone LIKE '%*%' OR name LIKE '%*%'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("count");
    assert_eq!(masked, 0, "{}: a masked value became a key, phone or name", export.file);

    for (number, day, amount, status) in export.orders {
        let (on, paid, stored, channel): (String, i64, Option<OrderStatus>, Option<SalesChannel>) = db
            .with_conn(|c| {
                Ok(c.query_row(
                    "SELECT ordered_on, amount_minor, status, channel FROM orders WHERE external_id = ?1",
                    [number],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?)
            })
            .unwrap_or_else(|e| panic!("{}: order {number}: {e}", export.file));
        assert_eq!(on, format!("2026-03-{day:02}"), "{}: order {number} is dated by its creation", export.file);
        assert_eq!(paid, *amount, "{}: order {number} is the amount paid", export.file);
        assert_eq!(stored, *status, "{}: order {number}", export.file);
        assert_eq!(channel, Some(export.channel), "{}: order {number}", export.file);
    }

    for (number, lines) in export.multi_line {
        let found: i64 = db
            .with_conn(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.external_id = ?1",
                    [number],
                    |r| r.get(0),
                )?)
            })
            .expect("lines");
        assert_eq!(found, *lines, "{}: order {number}", export.file);
    }

    let population =
        load::population(&db, super::date(3, 31), "CNY", &EvaluationSettings::default(), None).expect("population");
    for b in export.buyers {
        let id = customer_id(&db, b);
        let customer = db.with_conn(|c| headtail_core::customers::get(c, id)).expect("customer");
        assert_eq!(customer.name, b.name, "{}", export.file);
        assert_eq!(customer.phone.as_deref(), b.phone, "{}: {}", export.file, b.name);
        assert_eq!(customer.external_id.as_deref(), b.key, "{}: {}", export.file, b.name);
        assert_eq!(customer.channels, vec![export.channel], "{}: {}", export.file, b.name);
        let facts = population.customers.iter().find(|f| f.customer_id == id).expect("in the population");
        assert_eq!(facts.orders, b.purchases, "{}: {}'s purchases leave out what does not count", export.file, b.name);
        assert_eq!(facts.window_orders, b.purchases, "{}: {}", export.file, b.name);
        assert_eq!(facts.lifetime_revenue_minor, b.revenue_minor, "{}: {}'s revenue", export.file, b.name);
    }
}

#[test]
fn taobao_tmall_export_imports_with_no_mapping() {
    check(&EXPORTS[0]);
}

#[test]
fn jd_export_imports_with_no_mapping() {
    check(&EXPORTS[1]);
}

#[test]
fn pinduoduo_export_imports_by_mobile_and_reports_masked_buyers() {
    check(&EXPORTS[2]);
}

#[test]
fn youzan_export_imports_with_no_mapping() {
    check(&EXPORTS[3]);
}

#[test]
fn weidian_export_imports_with_no_mapping() {
    check(&EXPORTS[4]);
}

#[test]
fn wechat_shop_export_imports_with_no_mapping() {
    check(&EXPORTS[5]);
}

#[test]
fn every_platform_has_its_test_file() {
    for p in Platform::ALL {
        assert!(EXPORTS.iter().any(|e| e.platform == *p), "{p:?}");
    }
}

#[test]
fn a_cancelled_order_shows_on_the_timeline_with_its_status_and_earns_no_points() {
    let (_dir, db) = temp_db();
    db.with_tx(|tx| {
        let input =
            headtail_core::work_settings::WorkSettingsInput { loyalty_points_per_yuan: 1.0, ..Default::default() };
        headtail_core::work_settings::save(tx, input)
    })
    .expect("loyalty rule on");
    let report = import(&db, &platform_file("taobao.csv"), &ImportOptions::new(ImportKind::Orders));
    assert_eq!(report.status, ImportStatus::Imported);
    let li = customer_id(&db, &EXPORTS[0].buyers[1]);
    let page = db
        .with_conn(|c| {
            timeline::list(c, li, &TimelineQuery { before: None, limit: 0, kinds: Vec::new(), utc_offset_minutes: 480 })
        })
        .expect("timeline");
    let statuses: Vec<Option<OrderStatus>> = page
        .items
        .iter()
        .filter_map(|e| match &e.payload {
            TimelinePayload::Order { status, .. } => Some(*status),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, vec![CANCELLED]);
    let points: i64 = db
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM loyalty_ledger l JOIN orders o ON o.id = l.order_id WHERE o.status IS NOT NULL",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("points");
    assert_eq!(points, 0, "orders that do not count earn no points");
    let earned: i64 =
        db.with_conn(|c| Ok(c.query_row("SELECT count(*) FROM loyalty_ledger", [], |r| r.get(0))?)).expect("n");
    assert_eq!(earned, 3, "the three orders that count earn theirs");
}

#[test]
fn spreadsheet_text_protection_is_undone_in_every_kind() {
    let (dir, db) = temp_db();
    let customers = dir.path().join("customers.csv");
    std::fs::write(
        &customers,
        "客户编号,客户名称,手机号码,电子邮箱\n=\"C-0001\",王芳,'13811112222,\t wang@example.cn\n",
    )
    .expect("write");
    let report = import(&db, &customers, &ImportOptions::new(ImportKind::Customers));
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "订单号,手机号码,下单日期,实付金额\n\
         =\"0012\",'13811112222,'2026-03-02,\"￥1,234.50\"\n\
         \t0013,=\"13811112222\",=\"2026-03-03\",\"2,000元\"\n\
         0014,13811112222,2026-03-04,=\"¥ 88\"\n",
    )
    .expect("write");
    let report = import(&db, &orders, &ImportOptions::new(ImportKind::Orders));
    assert_eq!(report.status, ImportStatus::Imported, "{:?}", report.errors);
    assert_eq!(report.platform, None);
    assert_eq!(report.customers_created, 0, "the protected mobile finds the customer");
    let rows: Vec<(String, String, i64)> = db
        .with_conn(|c| {
            let mut stmt = c.prepare("SELECT external_id, ordered_on, amount_minor FROM orders ORDER BY id")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .expect("orders");
    assert_eq!(
        rows,
        vec![
            ("0012".to_owned(), "2026-03-02".to_owned(), 123_450),
            ("0013".to_owned(), "2026-03-03".to_owned(), 200_000),
            ("0014".to_owned(), "2026-03-04".to_owned(), 8_800),
        ]
    );
    let customer = db.with_conn(|c| headtail_core::customers::get(c, 1)).expect("customer");
    assert_eq!(customer.external_id.as_deref(), Some("C-0001"));
    assert_eq!(customer.phone.as_deref(), Some("13811112222"));
    assert_eq!(customer.email.as_deref(), Some("wang@example.cn"));
}

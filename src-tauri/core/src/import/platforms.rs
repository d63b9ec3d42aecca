//! The order exports of the platforms small shops sell on, recognised by their headers and
//! read as they come: which column is the buyer's account, the amount actually paid, the
//! order's creation time, the mobile; the platform's order statuses; masked buyer data.
//!
//! The header sets come from the platforms' seller back ends (see
//! `tests/data/platforms/SOURCES.md`). A file is one platform's export when it has every
//! header of the platform's signature; the signatures share no set, so at most one matches.

use super::headers::normalise_header;
use super::{Field, Mapping};
use crate::customers::SalesChannel;
use crate::orders::OrderStatus;
use serde::{Deserialize, Serialize};
use specta::Type;

text_enum!(
    /// A platform whose order export is read without a manual mapping.
    Platform {
        Taobao = "taobao",
        Jd = "jd",
        Pinduoduo = "pinduoduo",
        Youzan = "youzan",
        Weidian = "weidian",
        WechatShop = "wechat_shop",
    }
);

/// What is known of one platform's export. Headers are in normalised form
/// ([`normalise_header`]): `商品数量(件)` is `商品数量`, `买家ID` is `买家id`.
struct Profile {
    platform: Platform,
    /// Each entry is one header the export always has, in any of its spellings.
    signature: &'static [&'static [&'static str]],
    /// Field → its column, the first spelling present winning.
    columns: &'static [(Field, &'static [&'static str])],
    /// Prefix of the customer's external id: the account of one platform is not the same
    /// person as the same text on another.
    key_prefix: &'static str,
    channel: SalesChannel,
}

#[rustfmt::skip]
const PROFILES: &[Profile] = &[
    Profile {
        platform: Platform::Taobao,
        signature: &[&["订单编号"], &["买家会员名"], &["买家实际支付金额"]],
        columns: &[
            // 联系电话 is the landline, mostly empty; 总金额 is before discounts; 订单付款时间
            // is later than the order.
            (Field::ExternalId, &["买家会员名"]), (Field::Name, &["收货人姓名"]), (Field::Phone, &["联系手机"]),
            (Field::OrderNumber, &["订单编号"]), (Field::Date, &["订单创建时间"]),
            (Field::Amount, &["买家实际支付金额"]), (Field::Product, &["宝贝标题"]),
            (Field::Quantity, &["宝贝总数量"]), (Field::Status, &["订单状态"]),
        ],
        key_prefix: "taobao",
        channel: SalesChannel::Marketplace,
    },
    Profile {
        platform: Platform::Jd,
        signature: &[&["订单号"], &["下单帐号", "下单账号"], &["应付金额"]],
        columns: &[
            // 订单金额 is before discounts; 应付金额 is what the buyer pays.
            (Field::ExternalId, &["下单帐号", "下单账号"]), (Field::Name, &["客户姓名"]),
            (Field::Phone, &["联系电话"]), (Field::OrderNumber, &["订单号"]), (Field::Date, &["下单时间"]),
            (Field::Amount, &["应付金额"]), (Field::Product, &["商品名称"]), (Field::Quantity, &["订购数量"]),
            (Field::Status, &["订单状态"]),
        ],
        key_prefix: "jd",
        channel: SalesChannel::Marketplace,
    },
    Profile {
        platform: Platform::Pinduoduo,
        signature: &[&["订单号"], &["用户实付金额"], &["商家实收金额"]],
        columns: &[
            // No buyer account in the export: the mobile, else the receiver's name. 商品总价
            // is before discounts, 商家实收金额 after the platform's share. The export has no
            // creation time; 订单成交时间 is the earliest it gives.
            (Field::Name, &["收货人"]), (Field::Phone, &["用户购买手机号", "手机", "收货人手机号"]),
            (Field::OrderNumber, &["订单号"]), (Field::Date, &["订单成交时间", "拼单成功时间", "支付时间"]),
            (Field::Amount, &["用户实付金额"]), (Field::Product, &["商品"]), (Field::Quantity, &["商品数量"]),
            (Field::Status, &["订单状态"]), (Field::RefundStatus, &["售后状态"]),
        ],
        key_prefix: "pdd",
        channel: SalesChannel::Marketplace,
    },
    Profile {
        platform: Platform::Youzan,
        signature: &[&["订单号"], &["订单实付金额"], &["买家手机号"]],
        columns: &[
            // A Youzan account is its mobile number.
            (Field::ExternalId, &["买家手机号"]), (Field::Name, &["收货人/提货人", "收货人", "粉丝昵称"]),
            (Field::Phone, &["买家手机号", "收货人手机号/提货人手机号", "收货人手机号"]),
            (Field::OrderNumber, &["订单号"]), (Field::Date, &["订单创建时间"]),
            (Field::Amount, &["订单实付金额"]), (Field::Product, &["商品名称"]), (Field::Quantity, &["商品数量"]),
            (Field::Status, &["订单状态"]), (Field::RefundStatus, &["退款状态"]),
        ],
        key_prefix: "youzan",
        channel: SalesChannel::OnlineShop,
    },
    Profile {
        platform: Platform::Weidian,
        signature: &[&["订单编号"], &["买家id"], &["实付金额"]],
        columns: &[
            (Field::ExternalId, &["买家id"]), (Field::Name, &["收货人姓名", "买家昵称"]),
            (Field::Phone, &["收货人手机号", "收货人电话"]), (Field::OrderNumber, &["订单编号"]),
            (Field::Date, &["下单时间"]), (Field::Amount, &["实付金额"]), (Field::Product, &["商品名称"]),
            (Field::Quantity, &["商品数量"]), (Field::Status, &["订单状态"]), (Field::RefundStatus, &["退款状态"]),
        ],
        key_prefix: "weidian",
        channel: SalesChannel::OnlineShop,
    },
    Profile {
        platform: Platform::WechatShop,
        signature: &[&["订单号"], &["订单实际支付金额"]],
        columns: &[
            // The buyer's openid is their account in this shop.
            (Field::ExternalId, &["买家openid", "用户openid", "openid"]), (Field::Name, &["收件人姓名", "买家昵称"]),
            (Field::Phone, &["收件人手机", "收件人手机号"]), (Field::OrderNumber, &["订单号"]),
            (Field::Date, &["订单创建时间", "下单时间"]), (Field::Amount, &["订单实际支付金额"]),
            (Field::Product, &["商品名称"]), (Field::Quantity, &["商品数量"]), (Field::Status, &["订单状态"]),
            (Field::RefundStatus, &["售后状态"]),
        ],
        key_prefix: "wechat",
        channel: SalesChannel::OnlineShop,
    },
];

impl Platform {
    fn profile(self) -> &'static Profile {
        // Every platform has its profile (a test checks it); Taobao stands in otherwise.
        PROFILES.iter().find(|p| p.platform == self).unwrap_or(&PROFILES[0])
    }

    /// The platform whose export has these headers, if any.
    pub fn detect(headers: &[String]) -> Option<Platform> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let has = |spellings: &[&str]| spellings.iter().any(|s| normalised.iter().any(|h| h == s));
        PROFILES.iter().find(|p| p.signature.iter().all(|s| has(s))).map(|p| p.platform)
    }

    /// The mapping of the export: each field the platform has, to its column.
    pub fn mapping(self, headers: &[String]) -> Mapping {
        let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut mapping = Mapping::default();
        for (field, spellings) in self.profile().columns {
            let column = spellings.iter().find_map(|s| normalised.iter().position(|h| h == s));
            if let Some(column) = column {
                mapping.0.insert(*field, headers[column].clone());
            }
        }
        mapping
    }

    /// The customer's external id for the buyer's account: `taobao:tb_buyer`.
    pub fn customer_key(self, account: &str) -> String {
        format!("{}:{}", self.profile().key_prefix, account.trim())
    }

    /// The platform's name in English, for the command line.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Taobao => "Taobao/Tmall",
            Platform::Jd => "JD",
            Platform::Pinduoduo => "Pinduoduo",
            Platform::Youzan => "Youzan",
            Platform::Weidian => "Weidian",
            Platform::WechatShop => "WeChat shop",
        }
    }

    /// The sales channel of the platform's orders.
    pub fn channel(self) -> SalesChannel {
        self.profile().channel
    }
}

/// A value a platform masked (`138****2222`, `张**`, `李*`, `wang***@163.com`): it names no one,
/// so it is never a key or a phone. A lone star inside a name (`Star*Shop`) is not a mask.
pub fn is_masked(text: &str) -> bool {
    let t = text.trim();
    let star = |c: char| matches!(c, '*' | '＊');
    let digits_and_stars =
        t.chars().any(star) && t.chars().all(|c| c.is_ascii_digit() || star(c) || matches!(c, ' ' | '-' | '+'));
    t.contains("**") || t.contains("＊＊") || t.ends_with(star) || digits_and_stars
}

fn status_key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

const REFUNDED: &[&str] = &["退款成功", "已退款", "全额退款", "退款完成", "refunded"];
const CANCELLED: &[&str] = &["关闭", "取消", "作废", "失效", "cancel", "closed"];
const UNPAID: &[&str] = &["待付款", "等待买家付款", "未付款", "待支付", "未支付", "unpaid", "awaitingpayment"];

/// What an order status, as a platform writes it, means for counting the order: `None` for
/// an order that counts (paid, shipped, finished, a refund asked or partly made). A partial
/// refund leaves the order counted at the amount paid.
pub fn order_status(text: &str) -> Option<OrderStatus> {
    let key = status_key(text);
    if key.contains("部分") || key.contains("partial") {
        return None;
    }
    let any = |words: &[&str]| words.iter().any(|w| key.contains(w));
    if any(REFUNDED) {
        Some(OrderStatus::Refunded)
    } else if any(CANCELLED) {
        Some(OrderStatus::Cancelled)
    } else if any(UNPAID) {
        Some(OrderStatus::Unpaid)
    } else {
        None
    }
}

/// What an after-sale status column says: only a refund made in full stops the order from
/// counting; `无售后或售后取消` (none, or an after-sale request withdrawn) does not.
pub fn refund_status(text: &str) -> Option<OrderStatus> {
    let key = status_key(text);
    if key.contains("部分") || key.contains("partial") {
        return None;
    }
    REFUNDED.iter().any(|w| key.contains(w)).then_some(OrderStatus::Refunded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &str) -> Vec<String> {
        list.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn every_platform_has_one_profile() {
        for p in Platform::ALL {
            assert_eq!(PROFILES.iter().filter(|x| x.platform == *p).count(), 1, "{p:?}");
        }
    }

    #[test]
    fn the_taobao_export_maps_the_mobile_the_paid_amount_and_the_creation_time() {
        let h = headers("订单编号,买家会员名,买家支付宝账号,总金额,买家实际支付金额,订单状态,收货人姓名,联系电话,联系手机,订单创建时间,订单付款时间,宝贝标题,宝贝总数量");
        assert_eq!(Platform::detect(&h), Some(Platform::Taobao));
        let m = Platform::Taobao.mapping(&h);
        assert_eq!(m.0.get(&Field::Phone).map(String::as_str), Some("联系手机"));
        assert_eq!(m.0.get(&Field::Amount).map(String::as_str), Some("买家实际支付金额"));
        assert_eq!(m.0.get(&Field::Date).map(String::as_str), Some("订单创建时间"));
        assert_eq!(m.0.get(&Field::ExternalId).map(String::as_str), Some("买家会员名"));
    }

    #[test]
    fn signatures_tell_the_platforms_apart() {
        for (list, platform) in [
            ("订单号,下单帐号,订单金额,应付金额,下单时间", Some(Platform::Jd)),
            ("商品,订单号,商品总价(元),用户实付金额(元),商家实收金额(元),订单成交时间", Some(Platform::Pinduoduo)),
            ("订单号,订单创建时间,订单实付金额,买家手机号", Some(Platform::Youzan)),
            ("订单编号,下单时间,买家ID,实付金额", Some(Platform::Weidian)),
            ("订单号,下单时间,订单实际支付金额,收件人手机", Some(Platform::WechatShop)),
            ("订单编号,客户名称,下单日期,实付金额", None),
        ] {
            assert_eq!(Platform::detect(&headers(list)), platform, "{list}");
        }
    }

    #[test]
    fn statuses_that_do_not_count() {
        for (text, status) in [
            ("交易关闭", Some(OrderStatus::Cancelled)),
            ("已取消", Some(OrderStatus::Cancelled)),
            ("退款成功", Some(OrderStatus::Refunded)),
            ("已退款", Some(OrderStatus::Refunded)),
            ("等待买家付款", Some(OrderStatus::Unpaid)),
            ("交易成功", None),
            ("卖家已发货，等待买家确认", None),
            ("部分退款", None),
            ("退款中", None),
        ] {
            assert_eq!(order_status(text), status, "{text}");
        }
        assert_eq!(refund_status("无售后或售后取消"), None);
        assert_eq!(refund_status("退款成功"), Some(OrderStatus::Refunded));
        assert_eq!(refund_status("部分退款成功"), None);
    }

    #[test]
    fn masked_values_are_seen() {
        for masked in ["138****2222", "张**", "李*", "wang***@163.com", "1*8", "＊＊＊"] {
            assert!(is_masked(masked), "{masked}");
        }
        for plain in ["13811112222", "Star*Shop", "王芳", ""] {
            assert!(!is_masked(plain), "{plain}");
        }
    }
}

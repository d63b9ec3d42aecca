//! The look shared by every chart: the colour-blind-safe palette (Okabe-Ito, also in
//! `ui/src/lib/chart-palette.json` for the app), the language of the text, and number formats
//! per language (zh-CN counts in 万 and 亿, English in K, M and B).

use serde::{Deserialize, Serialize};
use specta::Type;

/// Okabe & Ito's eight colours, distinguishable with every common colour-vision deficiency;
/// black is kept for text and axes, so series take the other seven in this order.
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0x00, 0x72, 0xB2), // blue
    (0xE6, 0x9F, 0x00), // orange
    (0x00, 0x9E, 0x73), // bluish green
    (0xD5, 0x5E, 0x00), // vermillion
    (0xCC, 0x79, 0xA7), // reddish purple
    (0x56, 0xB4, 0xE9), // sky blue
    (0xF0, 0xE4, 0x42), // yellow
    (0x00, 0x00, 0x00), // black
];

/// The language of a chart's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// `zh-CN` (or `zh`) and `en`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" | "zh_cn" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The text in this language: `zh` in Chinese, `en` in English.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }

    /// A count in short form: `12K`, `3.4M` in English; `9500`, `1.2万`, `3.4亿` in Chinese.
    ///
    /// ```
    /// use headtail_core::charts::Lang;
    /// assert_eq!(Lang::En.count(12_345.0), "12K");
    /// assert_eq!(Lang::En.count(3_400_000.0), "3.4M");
    /// assert_eq!(Lang::ZhCn.count(12_000.0), "1.2万");
    /// assert_eq!(Lang::ZhCn.count(340_000_000.0), "3.4亿");
    /// assert_eq!(Lang::ZhCn.count(-950.0), "-950");
    /// ```
    pub fn count(self, value: f64) -> String {
        let units: &[(f64, &str)] = match self {
            Lang::ZhCn => &[(1e8, "亿"), (1e4, "万")],
            Lang::En => &[(1e9, "B"), (1e6, "M"), (1e3, "K")],
        };
        let sign = if value < 0.0 { "-" } else { "" };
        let v = value.abs();
        for &(unit, suffix) in units {
            // Rounding to one decimal can carry a value up to the unit (9,999 -> 10K).
            if v >= unit * 0.9995 {
                return format!("{sign}{}{suffix}", short(v / unit));
            }
        }
        format!("{sign}{}", short(v))
    }

    /// An amount in minor units with its currency sign, in short form: `¥1.2万`, `¥12K`.
    pub fn money(self, minor: i64, currency: &str) -> String {
        let major = minor as f64 / 100.0;
        let sign = if major < 0.0 { "-" } else { "" };
        format!("{sign}{}{}", currency_sign(currency), self.count(major.abs()))
    }
}

/// Up to two significant decimals for small values, none from 10 on: `1.2`, `12`, `0.35`.
fn short(v: f64) -> String {
    let text = if v >= 10.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// The sign written before an amount: `¥` for yuan (and yen), `$`, `€`, `£`, else the code.
pub fn currency_sign(currency: &str) -> String {
    match currency {
        "CNY" | "JPY" => "¥".into(),
        "USD" | "HKD" | "SGD" | "AUD" | "CAD" | "TWD" => "$".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        other => format!("{other} "),
    }
}

/// A percentage with at most one decimal: `45%`, `45.3%`.
pub fn percent(value: f64) -> String {
    let text = format!("{value:.1}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    // A share that rounds to zero is written without a sign.
    format!("{}%", if text == "-0" { "0" } else { text })
}

/// The name of a group key (tier, lifecycle stage, segment, class, channel, survey kind).
pub fn group_name(lang: Lang, key: &str) -> String {
    let (en, zh) = match key {
        "a" => ("A · Head", "A 头部客户"),
        "b" => ("B · Middle", "B 腰部客户"),
        "c" => ("C · Long tail", "C 长尾客户"),
        "d" => ("D · Low value", "D 低价值客户"),
        "prospect" => ("Prospects", "潜在客户"),
        "none" => ("Not in run", "不在该次评估"),
        "new" => ("New", "新客户"),
        "repeat" => ("Repeat", "复购客户"),
        "loyal" => ("Loyal", "忠诚客户"),
        "at_risk" => ("At risk", "流失风险"),
        "churned" => ("Churned", "已流失"),
        "won_back" => ("Won back", "已挽回"),
        "active" => ("Active", "活跃"),
        "dormant" => ("Dormant", "沉睡"),
        "champions" => ("Champions", "冠军客户"),
        "potential_loyalist" => ("Potential loyalists", "潜在忠诚客户"),
        "promising" => ("Promising", "有潜力客户"),
        "need_attention" => ("Need attention", "需要关注"),
        "about_to_sleep" => ("About to sleep", "即将沉睡"),
        "cant_lose_them" => ("Can't lose them", "不能失去"),
        "hibernating" => ("Hibernating", "沉睡客户"),
        "important_value" => ("Important value", "重要价值客户"),
        "important_develop" => ("Important to develop", "重要发展客户"),
        "important_keep" => ("Important to keep", "重要保持客户"),
        "important_retain" => ("Important to win back", "重要挽留客户"),
        "general_value" => ("General value", "一般价值客户"),
        "general_develop" => ("General to develop", "一般发展客户"),
        "general_keep" => ("General to keep", "一般保持客户"),
        "general_retain" => ("General to win back", "一般挽留客户"),
        "online_shop" => ("Online shop", "网店"),
        "marketplace" => ("Marketplace", "电商平台"),
        "store" => ("Store", "实体门店"),
        "phone_wechat" => ("Phone / WeChat", "电话/微信"),
        "unknown" => ("No channel", "未注明渠道"),
        "nps" => ("NPS", "NPS"),
        "csat" => ("CSAT", "CSAT"),
        "ces" => ("CES", "CES"),
        other => (other, other),
    };
    lang.pick(en, zh).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_into_the_next_unit() {
        assert_eq!(Lang::En.count(999.7), "1K");
        assert_eq!(Lang::En.count(9_999.0), "10K");
        assert_eq!(Lang::En.count(1_260.0), "1.3K");
        assert_eq!(Lang::ZhCn.count(99_990_000.0), "1亿");
        assert_eq!(Lang::ZhCn.count(0.0), "0");
    }

    #[test]
    fn the_app_has_the_same_palette() {
        let json = include_str!("../../../../ui/src/lib/chart-palette.json");
        let shared: serde_json::Value = serde_json::from_str(json).expect("palette json");
        let colors: Vec<String> =
            shared["colors"].as_array().expect("colors").iter().filter_map(|c| c.as_str().map(str::to_owned)).collect();
        let ours: Vec<String> = PALETTE.iter().map(|(r, g, b)| format!("#{r:02X}{g:02X}{b:02X}")).collect();
        assert_eq!(colors, ours);
    }

    #[test]
    fn money_carries_the_sign_before_the_currency() {
        assert_eq!(Lang::En.money(-1_234_500, "CNY"), "-¥12K");
        assert_eq!(Lang::ZhCn.money(1_200_000, "CNY"), "¥1.2万");
        assert_eq!(Lang::En.money(350, "USD"), "$3.5");
        assert_eq!(percent(45.26), "45.3%");
        assert_eq!(percent(70.0), "70%");
        assert_eq!(percent(-0.01), "0%");
    }
}

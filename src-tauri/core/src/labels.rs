//! The names of the closed sets of values in the user's language, for the files Headtail
//! writes (exports read in a spreadsheet, by people rather than scripts).
//!
//! A typed table per set rather than an i18n crate: the sets are closed enums, a `match`
//! makes a missing translation a compile error, and there are two languages. The wording is
//! the UI's (`ui/src/locales/*.json`, the section each table names); a test compares the two
//! so that a file and the screen never call the same group by two names.

use crate::customers::{CustomerKind, SalesChannel, SizeClass};
use crate::evaluation::{ExitStep, Lifecycle, NextActionKind, RfmSegment, ServiceLevel, Tier, ValueClass};
use crate::settings::Language;

/// A closed set of values with a name for each in Chinese and English.
pub trait Label: Copy + 'static {
    /// The section of the UI's locale files that names the same values, keyed by code.
    const LOCALE_SECTION: &'static str;

    /// Every value, in the enum's order.
    fn all() -> &'static [Self];

    /// The stable code written when no language is asked for.
    fn code(self) -> &'static str;

    /// The name in Simplified Chinese and in English.
    fn names(self) -> (&'static str, &'static str);

    /// The name in `language`.
    fn label(self, language: Language) -> &'static str {
        let (zh, en) = self.names();
        match language {
            Language::ZhCn => zh,
            Language::En => en,
        }
    }

    /// The name in `language`, or the code without one.
    fn text(self, language: Option<Language>) -> &'static str {
        language.map_or_else(|| self.code(), |l| self.label(l))
    }
}

/// Implements [`Label`] from a table of `Variant => "中文", "English";` rows.
macro_rules! labels {
    ($ty:ty, $section:literal, { $($variant:ident => $zh:literal, $en:literal;)+ }) => {
        impl Label for $ty {
            const LOCALE_SECTION: &'static str = $section;

            fn all() -> &'static [Self] {
                <$ty>::ALL
            }

            fn code(self) -> &'static str {
                self.as_str()
            }

            fn names(self) -> (&'static str, &'static str) {
                match self {
                    $(Self::$variant => ($zh, $en),)+
                }
            }
        }
    };
}

labels!(Tier, "evaluation.tier", {
    A => "A 头部客户", "A · Head";
    B => "B 腰部客户", "B · Middle";
    C => "C 长尾客户", "C · Long tail";
    D => "D 低价值客户", "D · Low value";
    Prospect => "潜在客户 · 尚未购买", "Prospect · no purchase yet";
});

labels!(RfmSegment, "evaluation.segment", {
    Champions => "冠军客户", "Champions";
    Loyal => "忠诚客户", "Loyal";
    PotentialLoyalist => "潜在忠诚客户", "Potential loyalists";
    New => "新客户", "New customers";
    Promising => "有潜力客户", "Promising";
    NeedAttention => "需要关注", "Need attention";
    AboutToSleep => "即将沉睡", "About to sleep";
    AtRisk => "有流失风险", "At risk";
    CantLoseThem => "不能失去", "Can't lose them";
    Hibernating => "沉睡客户", "Hibernating";
});

labels!(ValueClass, "evaluation.value_class", {
    ImportantValue => "重要价值客户", "Important value";
    ImportantDevelop => "重要发展客户", "Important to develop";
    ImportantKeep => "重要保持客户", "Important to keep";
    ImportantRetain => "重要挽留客户", "Important to win back";
    GeneralValue => "一般价值客户", "General value";
    GeneralDevelop => "一般发展客户", "General to develop";
    GeneralKeep => "一般保持客户", "General to keep";
    GeneralRetain => "一般挽留客户", "General to win back";
});

labels!(Lifecycle, "evaluation.lifecycle", {
    Prospect => "潜在客户", "Prospect";
    New => "新客户", "New";
    Repeat => "复购客户", "Repeat";
    Loyal => "忠诚客户", "Loyal";
    AtRisk => "流失风险", "At risk";
    Churned => "已流失", "Churned";
    WonBack => "已挽回", "Won back";
});

labels!(ServiceLevel, "evaluation.service_level", {
    Vip => "VIP", "VIP";
    Priority => "优先", "Priority";
    Standard => "标准", "Standard";
    SelfService => "自助服务", "Self-service";
});

labels!(ExitStep, "evaluation.exit_step", {
    SelfService => "仅自助服务", "self-service only";
    ReduceCost => "降低服务成本", "reduce cost";
    Reprice => "调整价格", "reprice";
    LetGo => "放手", "let go";
});

labels!(NextActionKind, "evaluation.next_action", {
    ResolveComplaint => "处理投诉", "Resolve complaint";
    FollowUp => "跟进", "Follow up";
    WinBack => "挽回", "Win back";
    ExitPlan => "退出计划", "Exit plan";
    Upsell => "追加销售", "Upsell";
    SurveyDue => "满意度调查", "Survey due";
});

labels!(CustomerKind, "kind", {
    Company => "公司", "Company";
    Person => "个人", "Person";
});

labels!(SizeClass, "size_class", {
    Large => "大客户", "Large account";
    Smb => "中小企业", "Small or medium business";
    Individual => "个人客户", "Individual buyer";
});

labels!(SalesChannel, "channel", {
    OnlineShop => "网店", "Online shop";
    Marketplace => "电商平台", "Marketplace";
    Store => "实体门店", "Physical store";
    PhoneWechat => "电话/微信", "Phone / WeChat";
});

/// Yes or no, for a flag column.
pub fn yes_no(flag: bool, language: Option<Language>) -> &'static str {
    match (language, flag) {
        (None, true) => "yes",
        (None, false) => "no",
        (Some(Language::ZhCn), true) => "是",
        (Some(Language::ZhCn), false) => "否",
        (Some(Language::En), true) => "Yes",
        (Some(Language::En), false) => "No",
    }
}

/// A column header: its code, its names, and the UI's key for the same words if it has one.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// The key of the same words in the UI's locale files.
    pub locale_key: Option<&'static str>,
}

impl Header {
    pub const fn new(code: &'static str, zh: &'static str, en: &'static str, locale_key: Option<&'static str>) -> Self {
        Header { code, zh, en, locale_key }
    }

    /// The header in `language`, or the code without one.
    pub fn text(&self, language: Option<Language>) -> &'static str {
        match language {
            None => self.code,
            Some(Language::ZhCn) => self.zh,
            Some(Language::En) => self.en,
        }
    }
}

/// Every label table, as (locale section, code, Chinese, English) rows, for the comparison
/// with the UI's locale files.
pub fn all_tables() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    fn rows<T: Label>() -> impl Iterator<Item = (&'static str, &'static str, &'static str, &'static str)> {
        T::all().iter().map(|v| {
            let (zh, en) = v.names();
            (T::LOCALE_SECTION, v.code(), zh, en)
        })
    }
    rows::<Tier>()
        .chain(rows::<RfmSegment>())
        .chain(rows::<ValueClass>())
        .chain(rows::<Lifecycle>())
        .chain(rows::<ServiceLevel>())
        .chain(rows::<ExitStep>())
        .chain(rows::<NextActionKind>())
        .chain(rows::<CustomerKind>())
        .chain(rows::<SizeClass>())
        .chain(rows::<SalesChannel>())
        .collect()
}

/// The UI's locale files, for tests that keep the Rust wording equal to the screen's.
#[cfg(test)]
pub(crate) mod ui_locales {
    /// `ui/src/locales/<name>.json`.
    pub fn locale(name: &str) -> serde_json::Value {
        let path = format!("{}/../../ui/src/locales/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
    }

    /// The message at a dotted key.
    pub fn message<'a>(messages: &'a serde_json::Value, key: &str) -> Option<&'a str> {
        key.split('.').try_fold(messages, |v, k| v.get(k)).and_then(|v| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ui_locales::{locale, message};
    use super::*;

    #[test]
    fn every_label_reads_as_the_ui_shows_it() {
        let (zh_ui, en_ui) = (locale("zh-CN"), locale("en"));
        let tables = all_tables();
        assert!(tables.len() > 50, "every table is compared");
        for (section, code, zh, en) in tables {
            let key = format!("{section}.{code}");
            assert_eq!(message(&zh_ui, &key), Some(zh), "zh-CN {key}: the file and the screen must agree");
            assert_eq!(message(&en_ui, &key), Some(en), "en {key}: the file and the screen must agree");
        }
    }

    #[test]
    fn the_comparison_catches_a_label_that_drifted() {
        let mut zh_ui = locale("zh-CN");
        zh_ui["evaluation"]["segment"]["hibernating"] = serde_json::Value::from("休眠客户");
        let (zh, _) = RfmSegment::Hibernating.names();
        assert_ne!(message(&zh_ui, "evaluation.segment.hibernating"), Some(zh));
    }

    #[test]
    fn without_a_language_the_code_is_written() {
        assert_eq!(ValueClass::GeneralRetain.text(None), "general_retain");
        assert_eq!(ValueClass::GeneralRetain.text(Some(Language::ZhCn)), "一般挽留客户");
        assert_eq!(RfmSegment::Hibernating.text(Some(Language::En)), "Hibernating");
        assert_eq!(yes_no(true, None), "yes");
        assert_eq!(yes_no(false, Some(Language::ZhCn)), "否");
    }
}

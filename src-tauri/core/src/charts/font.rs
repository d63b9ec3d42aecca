//! The one font of every chart: a GB2312 + Latin subset of Noto Sans CJK SC (SIL OFL 1.1,
//! see assets/fonts), built into the binary so no system font is looked up.

use crate::error::{Error, Result};
use plotters::style::{register_font, FontStyle};
use std::sync::OnceLock;

pub(crate) const FONT: &[u8] = include_bytes!("../../../../assets/fonts/NotoSansSC-Subset.otf");

/// The family name charts ask for; SVG viewers without the font fall back through the list.
pub(crate) const FAMILY: &str =
    "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif";

/// Registers the font with plotters once per process.
pub(crate) fn ensure() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Internal("the chart font cannot be read".into()))
    }
}

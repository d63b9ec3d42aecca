//! Money. Amounts are kept as integer minor units (fen, cents) of an ISO 4217 currency; this
//! module says how many minor digits a currency has and writes an amount as a decimal.

/// Minor-unit digits of a currency (ISO 4217): 2 unless listed.
///
/// ```
/// use headtail_core::money::minor_digits;
/// assert_eq!((minor_digits("CNY"), minor_digits("JPY"), minor_digits("KWD")), (2, 0, 3));
/// ```
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "PYG" | "XAF" | "XOF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// An amount in minor units as a decimal with `digits` places, exactly (no floating point):
/// the form of money in files Headtail writes.
///
/// ```
/// use headtail_core::money::decimal;
/// assert_eq!(decimal(123_450, 2), "1234.50");
/// assert_eq!(decimal(-5, 2), "-0.05");
/// assert_eq!(decimal(500, 0), "500");
/// ```
pub fn decimal(minor: i64, digits: u32) -> String {
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10_u64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = digits as usize)
}

/// An amount in minor units as a number of major units, for models that work in floating
/// point (CLV); exact below 2^53 minor units.
///
/// ```
/// assert_eq!(headtail_core::money::to_major(123_450, 2), 1234.5);
/// ```
pub fn to_major(minor: i64, digits: u32) -> f64 {
    minor as f64 / 10_f64.powi(digits as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_every_digit_and_the_sign() {
        assert_eq!(decimal(0, 2), "0.00");
        assert_eq!(decimal(7, 3), "0.007");
        assert_eq!(decimal(-123_456, 3), "-123.456");
        assert_eq!(decimal(i64::MIN, 2), "-92233720368547758.08");
        assert_eq!(decimal(-42, 0), "-42");
    }
}

//! From purchase rows to the per-customer statistics the models use: frequency x, recency
//! t_x, age T, and the mean spend per repeat purchase day.

use super::{ClvError, TimeUnit};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use specta::Type;

/// One purchase: who, when (a calendar day), and how much.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction<K> {
    pub customer_id: K,
    pub date: NaiveDate,
    /// Money spent; finite and not negative (net refunds out before summarising).
    pub amount: f64,
}

/// A customer's repeat-purchase history over the calibration period, in model time units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct CustomerHistory {
    /// x: the number of purchase days after the first purchase day.
    pub frequency: u32,
    /// t_x: time from the first purchase to the last repeat purchase; 0 when x = 0.
    pub recency: f64,
    /// T: time from the first purchase to the end of the calibration period.
    pub age: f64,
}

impl CustomerHistory {
    /// Checks that the numbers can describe a purchase history:
    /// finite, `0 <= recency <= age`, and `recency == 0` when `frequency == 0`.
    ///
    /// # Errors
    /// [`ClvError::InvalidInput`] naming the broken rule.
    pub fn validate(&self) -> Result<(), ClvError> {
        if !(self.recency.is_finite() && self.age.is_finite()) {
            return Err(ClvError::InvalidInput("recency and age must be finite".into()));
        }
        if self.recency < 0.0 || self.recency > self.age {
            return Err(ClvError::InvalidInput(format!(
                "need 0 <= recency <= age, got recency {} and age {}",
                self.recency, self.age
            )));
        }
        if self.frequency == 0 && self.recency != 0.0 {
            return Err(ClvError::InvalidInput("recency must be 0 for a customer without repeat purchases".into()));
        }
        Ok(())
    }
}

/// The input of the Gamma-Gamma spend model for one customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Type)]
pub struct SpendHistory {
    /// x: number of repeat purchase days.
    pub frequency: u32,
    /// zbar: mean spend per repeat purchase day (0 when x = 0).
    pub mean_spend: f64,
}

/// Everything the models need to know about one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary<K> {
    pub customer_id: K,
    pub first_purchase: NaiveDate,
    pub history: CustomerHistory,
    /// zbar: the mean over repeat purchase days of the day's total spend; `None` when x = 0.
    /// The first purchase day is left out, as in the Gamma-Gamma model.
    pub mean_spend: Option<f64>,
}

impl<K> CustomerSummary<K> {
    /// The (x, zbar) pair for the spend model; zbar is 0 for customers without repeat days.
    pub fn spend_history(&self) -> SpendHistory {
        SpendHistory { frequency: self.history.frequency, mean_spend: self.mean_spend.unwrap_or(0.0) }
    }
}

/// Summarises purchase rows per customer for the calibration period that ends (inclusive)
/// on `calibration_end`.
///
/// - Rows dated after `calibration_end` are ignored; customers whose first purchase is later
///   do not appear.
/// - Purchases are counted by day: several rows on one day are one purchase whose amount is
///   their sum. x is the number of distinct purchase days after the first one.
/// - t_x = (last day - first day), T = (calibration_end - first day), in days divided by the
///   length of `unit` (7 for weeks).
/// - zbar = (total spend on the repeat days) / x; the first day's spend is not included.
///
/// The result is sorted by customer id and is empty when no row falls in the period.
///
/// # Errors
/// [`ClvError::InvalidInput`] if any amount (also outside the period) is negative or not
/// finite.
pub fn summarize<K: Ord + Clone>(
    transactions: &[Transaction<K>],
    calibration_end: NaiveDate,
    unit: TimeUnit,
) -> Result<Vec<CustomerSummary<K>>, ClvError> {
    if let Some(bad) = transactions.iter().find(|t| !(t.amount.is_finite() && t.amount >= 0.0)) {
        return Err(ClvError::InvalidInput(format!(
            "transaction amounts must be finite and not negative, got {}",
            bad.amount
        )));
    }
    let mut rows: Vec<&Transaction<K>> = transactions.iter().filter(|t| t.date <= calibration_end).collect();
    rows.sort_unstable_by(|l, r| l.customer_id.cmp(&r.customer_id).then(l.date.cmp(&r.date)));

    let unit_days = unit.days();
    let to_units = |from: NaiveDate, to: NaiveDate| (to - from).num_days() as f64 / unit_days;
    let mut summaries = Vec::new();
    for customer_rows in rows.chunk_by(|l, r| l.customer_id == r.customer_id) {
        let first = customer_rows[0];
        let mut last_day = first.date;
        let mut repeat_days = 0_u32;
        let mut repeat_spend = 0.0;
        for row in customer_rows.iter().skip_while(|row| row.date == first.date) {
            if row.date != last_day {
                repeat_days += 1;
                last_day = row.date;
            }
            repeat_spend += row.amount;
        }
        summaries.push(CustomerSummary {
            customer_id: first.customer_id.clone(),
            first_purchase: first.date,
            history: CustomerHistory {
                frequency: repeat_days,
                recency: to_units(first.date, last_day),
                age: to_units(first.date, calibration_end),
            },
            mean_spend: (repeat_days > 0).then(|| repeat_spend / f64::from(repeat_days)),
        });
    }
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn tx(id: u32, date: NaiveDate, amount: f64) -> Transaction<u32> {
        Transaction { customer_id: id, date, amount }
    }

    #[test]
    fn summary_counts_days_and_sums_same_day_amounts() {
        let rows = vec![
            tx(2, day(2024, 1, 10), 5.0),
            tx(1, day(2024, 1, 1), 10.0),
            tx(1, day(2024, 1, 8), 20.0),
            tx(1, day(2024, 1, 8), 4.0),
            tx(1, day(2024, 1, 1), 1.0),
            tx(1, day(2024, 1, 15), 6.0),
            tx(1, day(2024, 3, 1), 100.0), // after the period
            tx(3, day(2024, 2, 1), 7.0),   // first purchase after the period
        ];
        let s = summarize(&rows, day(2024, 1, 29), TimeUnit::Week).expect("summary");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].customer_id, 1);
        assert_eq!(s[0].history, CustomerHistory { frequency: 2, recency: 2.0, age: 4.0 });
        assert_eq!(s[0].mean_spend, Some(15.0));
        assert_eq!(s[1].customer_id, 2);
        assert_eq!(s[1].history, CustomerHistory { frequency: 0, recency: 0.0, age: 19.0 / 7.0 });
        assert_eq!(s[1].mean_spend, None);
        assert_eq!(s[1].spend_history(), SpendHistory { frequency: 0, mean_spend: 0.0 });

        let days = summarize(&rows, day(2024, 1, 29), TimeUnit::Day).expect("summary");
        assert_eq!(days[0].history, CustomerHistory { frequency: 2, recency: 14.0, age: 28.0 });
    }

    #[test]
    fn summary_of_nothing_is_empty() {
        let rows: Vec<Transaction<u32>> = Vec::new();
        assert_eq!(summarize(&rows, day(2024, 1, 1), TimeUnit::Day), Ok(Vec::new()));
    }

    #[test]
    fn summary_rejects_bad_amounts() {
        for amount in [f64::NAN, f64::INFINITY, -1.0] {
            let rows = vec![tx(1, day(2024, 1, 1), 1.0), tx(1, day(2030, 1, 1), amount)];
            assert!(matches!(summarize(&rows, day(2024, 2, 1), TimeUnit::Day), Err(ClvError::InvalidInput(_))));
        }
    }

    #[test]
    fn history_validation() {
        let ok = CustomerHistory { frequency: 1, recency: 2.0, age: 3.0 };
        assert_eq!(ok.validate(), Ok(()));
        for bad in [
            CustomerHistory { frequency: 1, recency: 4.0, age: 3.0 },
            CustomerHistory { frequency: 1, recency: -1.0, age: 3.0 },
            CustomerHistory { frequency: 0, recency: 1.0, age: 3.0 },
            CustomerHistory { frequency: 1, recency: 1.0, age: f64::INFINITY },
            CustomerHistory { frequency: 1, recency: f64::NAN, age: 3.0 },
        ] {
            assert!(matches!(bad.validate(), Err(ClvError::InvalidInput(_))), "{bad:?}");
        }
    }
}

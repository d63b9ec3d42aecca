//! What the orders add to each customer's facts: the money sums, and the distinct purchase
//! days.

use super::orders::OrderOwners;
use super::Windows;
use crate::evaluation::{CustomerFacts, Day};

/// Where an order's money goes: a customer's facts.
pub(super) trait OrderSink {
    fn add(&mut self, day: Day, amount: i64, margin: i64, w: Windows, first_day: &mut Day);
}

impl OrderSink for CustomerFacts {
    fn add(&mut self, day: Day, amount: i64, margin: i64, w: Windows, first_day: &mut Day) {
        self.orders += 1;
        self.lifetime_revenue_minor += amount;
        self.lifetime_margin_minor += margin;
        if day > w.window_start {
            self.window_orders += 1;
            self.window_revenue_minor += amount;
            self.window_margin_minor += margin;
        } else if day > w.previous_start {
            self.previous_window_revenue_minor += amount;
        }
        if day < *first_day {
            *first_day = day;
            self.first_day_revenue_minor = amount;
        } else if day == *first_day {
            self.first_day_revenue_minor += amount;
        }
    }
}

/// Each customer's distinct purchase days, ascending: customer i's are
/// `days[offsets[i]..offsets[i + 1]]`.
pub(super) struct PurchaseDays {
    pub(super) offsets: Vec<u32>,
    pub(super) days: Vec<Day>,
}

impl PurchaseDays {
    /// Counts each customer's orders, puts their days in place, then sorts each customer's
    /// few days: no sort of all ten million.
    pub(super) fn of_orders(counted: &OrderOwners, customers: usize) -> Self {
        let mut offsets = vec![0_u32; customers + 1];
        for &owner in counted.owners.iter().filter(|&&o| o != u32::MAX) {
            offsets[owner as usize + 1] += 1;
        }
        for i in 0..customers {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets.clone();
        let mut days = vec![0; offsets[customers] as usize];
        for (&owner, &day) in counted.owners.iter().zip(&counted.days) {
            if let Some(slot) = next.get_mut(owner as usize) {
                days[*slot as usize] = day;
                *slot += 1;
            }
        }
        Self::distinct(offsets, days)
    }

    /// One customer's days, in any order and repeated.
    pub(super) fn of_one(days: Vec<Day>) -> Self {
        Self::distinct(vec![0, days.len() as u32], days)
    }

    /// Sorts each customer's days and drops repeats, moving them down in place.
    fn distinct(mut offsets: Vec<u32>, mut days: Vec<Day>) -> Self {
        let mut kept = 0;
        for i in 0..offsets.len() - 1 {
            let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
            days[start..end].sort_unstable();
            offsets[i] = kept as u32;
            for k in start..end {
                if k == start || days[k] != days[k - 1] {
                    days[kept] = days[k];
                    kept += 1;
                }
            }
        }
        if let Some(last) = offsets.last_mut() {
            *last = kept as u32;
        }
        days.truncate(kept);
        PurchaseDays { offsets, days }
    }
}

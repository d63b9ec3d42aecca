//! Bringing standings up to date between runs: customers are evaluated again against the
//! latest stored run's model (no refit, no new cut points) at a later date, and their member
//! rows in that run are replaced and marked with that date.
//!
//! A few customers (an order from the form, a small import) have their facts read one by
//! one through the customer indexes, under a millisecond each. Many customers (a large
//! import) have them read in one pass over the tables, the way a run reads them: past one
//! customer for every [`ONE_PASS_PER_CUSTOMER`] members of the run, the pass is taken. Both
//! read the same facts.

use super::predict::predict_alone;
use super::store::{
    archive, cell_of, latest_run, stored_cell, stored_code, update_row_sql, write_row, CellMoves, EvaluationRun,
    RunStandings, SAVE_BATCH,
};
use super::{decide, load, measure, CustomerFacts, Day, Member, Model, Population};
use crate::db::Database;
use crate::error::Result;
use chrono::NaiveDate;
use rayon::prelude::*;
use rusqlite::Connection;

/// Members of a run for each customer that makes one pass cheaper than reading customers
/// one by one. Measured (`standings_bench`), the two cost the same at one customer for every
/// 20 to 25 members at 100,000 customers and for every 87 at 1,000,000 (reading one customer
/// grows with the table); at 50 the slower choice costs at most about twice the faster at
/// either size.
pub const ONE_PASS_PER_CUSTOMER: u64 = 50;

/// Re-evaluates one customer against the latest run's model: after a new order the
/// customer's standing is current in milliseconds. The member row of the latest run is
/// updated and marked with the date it was evaluated at, `today` or the run's date if later.
///
/// Returns `None` when there is no run yet or the customer was not in it.
pub fn refresh_customer(db: &Database, customer: i64, today: NaiveDate) -> Result<Option<Member>> {
    Ok(refresh(db, &[customer], today)?.pop())
}

/// [`refresh_customer`] for many customers at once (in any order, repeats allowed); those
/// not in the latest run, or none when there is no run, are left out. Returns how many
/// members were brought up to date.
pub fn refresh_customers(db: &Database, customers: &[i64], today: NaiveDate) -> Result<u64> {
    Ok(refresh(db, customers, today)?.len() as u64)
}

fn refresh(db: &Database, customers: &[i64], today: NaiveDate) -> Result<Vec<Member>> {
    let Some(run) = db.with_conn(latest_run)? else { return Ok(Vec::new()) };
    let mut ids = customers.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let many = |n: usize| n as u64 * ONE_PASS_PER_CUSTOMER > u64::from(run.customers);
    let walk = many(ids.len());
    db.with_conn(|conn| keep_members(conn, run.id, &mut ids, walk))?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let as_of = today.max(run.as_of);
    let again = Again { model: Model { as_of, ..run.model.clone() }, run: &run, as_of };
    let members = if many(ids.len()) { again.in_one_pass(db, &ids)? } else { again.one_by_one(db, &ids)? };
    // The rows, the archive and the caller all see a member as the run keeps it.
    let members = members.iter().map(archive::as_stored).collect::<Result<Vec<_>>>()?;
    // Both ways give the members in the order of `ids`, ascending, as the archive takes them.
    for chunk in members.chunks(SAVE_BATCH) {
        db.with_tx(|tx| {
            archive::replace(tx, run.id, chunk, as_of)?;
            let mut update = tx.prepare_cached(&update_row_sql())?;
            let mut cells = CellMoves::default();
            for m in chunk {
                if let Some(before) = stored_cell(tx, run.id, m.measures.customer_id)? {
                    cells.moved(m.measures.customer_id, before, cell_of(&m.decision));
                }
                write_row(&mut update, run.id, m, Some(as_of))?;
            }
            cells.write(tx, run.id)
        })?;
    }
    Ok(members)
}

/// Keeps of `ids` (ascending) the members of `run`, from the run's codes (its rows may not be
/// built yet): many are looked up in the codes read whole, a few two bytes at a time.
fn keep_members(conn: &Connection, run: i64, ids: &mut Vec<i64>, many: bool) -> Result<()> {
    if many {
        let standings = RunStandings::load(conn, run)?;
        ids.retain(|&id| standings.cell(id).is_some());
    } else {
        let mut kept = Vec::with_capacity(ids.len());
        for &id in ids.iter() {
            if stored_code(conn, run, id)?.is_some() {
                kept.push(id);
            }
        }
        *ids = kept;
    }
    Ok(())
}

/// A run's model moved to a later date, and what evaluating a customer against it needs.
struct Again<'r> {
    model: Model,
    run: &'r EvaluationRun,
    as_of: NaiveDate,
}

impl Again<'_> {
    fn member(&self, facts: &CustomerFacts, days: &[Day]) -> Member {
        let settings = &self.run.settings;
        let mut measures = measure(facts, days, self.as_of);
        predict_alone(&mut measures, facts, days, self.as_of, settings, &self.run.model.clv);
        let decision = decide(&measures, &self.model, settings, None);
        Member { measures, decision }
    }

    /// The facts of `only` (every customer when `None`), with the run's categories and the
    /// streaks continued from the run before it, as in the run itself.
    fn population(&self, db: &Database, only: Option<i64>) -> Result<Population> {
        let run = self.run;
        load::population_with(
            db,
            self.as_of,
            &run.currency,
            &run.settings,
            only,
            Some(&run.model.categories),
            run.as_of,
        )
    }

    fn one_by_one(&self, db: &Database, ids: &[i64]) -> Result<Vec<Member>> {
        let mut members = Vec::with_capacity(ids.len());
        for &id in ids {
            let population = self.population(db, Some(id))?;
            if let Some(facts) = population.customers.first() {
                members.push(self.member(facts, population.purchase_days(0)));
            }
        }
        Ok(members)
    }

    fn in_one_pass(&self, db: &Database, ids: &[i64]) -> Result<Vec<Member>> {
        let population = self.population(db, None)?;
        // The population is in id order, as `ids` is.
        let found: Vec<usize> =
            ids.iter().filter_map(|id| population.customers.binary_search_by_key(id, |f| f.customer_id).ok()).collect();
        Ok(found.par_iter().map(|&i| self.member(&population.customers[i], population.purchase_days(i))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::store::{self, Trigger};

    #[test]
    fn one_pass_and_one_by_one_give_the_same_members() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("again.sqlite")).expect("open");
        let run_date = NaiveDate::from_ymd_opt(2026, 9, 30).expect("date");
        let demo = crate::demo::DemoSettings::new(300, 3, run_date);
        db.with_tx(|tx| crate::demo::generate(tx, demo, chrono::Utc::now(), |_, _| {})).expect("demo");
        let (run, _) = store::run(&db, run_date, Trigger::Manual, &mut |_, _| {}).expect("run");
        let later = NaiveDate::from_ymd_opt(2026, 11, 15).expect("date");
        let again = Again { model: Model { as_of: later, ..run.model.clone() }, run: &run, as_of: later };
        let ids: Vec<i64> = (1..=300).step_by(7).collect();
        let one_by_one = again.one_by_one(&db, &ids).expect("one by one");
        let one_pass = again.in_one_pass(&db, &ids).expect("one pass");
        assert!(one_by_one.len() > 30, "{} of {} customers", one_by_one.len(), ids.len());
        assert_eq!(one_pass, one_by_one);
        assert!(
            one_pass.iter().all(|m| m.measures.recency_days.is_none_or(|d| d >= 46)),
            "evaluated at the later date"
        );
    }
}

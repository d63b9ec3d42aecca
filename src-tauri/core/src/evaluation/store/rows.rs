//! The latest run's members as indexed rows (`evaluation_members`), for what filters, sorts
//! and counts them in SQL: only those figures, each standing as its place in its set. A
//! member's other figures are read from the archive. A save stores only a run's archive; the rows are built from it
//! afterwards ([`build_latest`]) into a new table without indexes, which is then indexed in
//! one sorted pass and takes the old one's place. The user does not wait for them, a save
//! costs the same however many runs are kept, and the previous run's rows go with a
//! dropped table rather than a million deletes from four indexes.

use super::archive::{self, decode, Archived};
use super::members::{member_columns, read_member};
use crate::db::Database;
use crate::error::{Error, Result};
use crate::evaluation::lease::Lease;
use crate::evaluation::Member;
use crate::text_enum::Place;
use chrono::{NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// The columns of a member row in the order [`write_row`] binds them: the customer and the
/// run first, which find the row.
const ROW_COLUMNS: [&str; 19] = [
    "customer_id",
    "run_id",
    "recency_days",
    "contribution_minor",
    "p_alive",
    "predicted_clv_minor",
    "last_survey",
    "tier",
    "segment",
    "value_class",
    "lifecycle",
    "service_level",
    "behaviour",
    "potential_head",
    "low_value_runs",
    "exit_runs",
    "exit_step",
    "next_action",
    "refreshed_on",
];

/// The insert of a member row into `table`: the rows table or one shaped as it.
fn insert_row_sql(table: &str) -> String {
    let places = (1..=ROW_COLUMNS.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    format!("INSERT INTO {table} ({}) VALUES ({places})", ROW_COLUMNS.join(", "))
}

/// The update of a member's row to new figures, bound as [`write_row`] binds them.
pub(crate) fn update_row_sql() -> String {
    let set = ROW_COLUMNS.iter().enumerate().skip(2).map(|(i, c)| format!("{c} = ?{}", i + 1));
    format!("UPDATE {ROWS} SET {} WHERE customer_id = ?1 AND run_id = ?2", set.collect::<Vec<_>>().join(", "))
}

/// Runs `stmt` (an insert or the update of a member row) with the member's row values.
pub(crate) fn write_row(
    stmt: &mut rusqlite::Statement<'_>,
    run: i64,
    member: &Member,
    refreshed: Option<NaiveDate>,
) -> Result<()> {
    let (m, d) = (&member.measures, &member.decision);
    stmt.execute(params![
        m.customer_id,
        run,
        m.recency_days,
        m.contribution_minor,
        m.p_alive,
        m.predicted_clv_minor,
        m.last_survey,
        Place(d.tier),
        d.segment.map(Place),
        d.value_class.map(Place),
        Place(d.lifecycle),
        Place(d.service_level),
        d.behaviour.map(Place),
        d.potential_head,
        d.low_value_runs,
        d.exit_runs,
        d.exit_step.map(Place),
        d.next_action.map(Place),
        refreshed,
    ])?;
    Ok(())
}

/// The table a run's rows are written to until it becomes the latest.
pub(super) const SAVING: &str = "evaluation_members_saving";
const ROWS: &str = "evaluation_members";

/// Makes an empty table for a new run's rows, shaped as the rows table is now (its
/// definition from the migrations, read back from the schema), without its indexes.
pub(super) fn start(conn: &Connection) -> Result<()> {
    drop_saving(conn)?;
    let definition: String =
        conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [ROWS], |r| r.get(0))?;
    // After a rename SQLite quotes the name: the columns start at the first parenthesis.
    let columns = definition
        .find('(')
        .map(|i| &definition[i..])
        .ok_or_else(|| Error::Internal("the members table has no columns".into()))?;
    conn.execute_batch(&format!("CREATE TABLE {SAVING} {columns}"))?;
    Ok(())
}

/// Removes a table a save that died left.
pub(crate) fn drop_saving(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!("DROP TABLE IF EXISTS {SAVING}"))?;
    Ok(())
}

/// Puts the new run's rows in place of the old ones and builds the indexes the old table
/// had, by the same definitions.
pub(super) fn finish(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY name",
    )?;
    let indexes = stmt.query_map([ROWS], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    // The sorts that build the indexes may use a second core.
    let threads: i64 = conn.query_row("PRAGMA threads", [], |r| r.get(0))?;
    conn.pragma_update(None, "threads", 2)?;
    let built = (|| -> Result<()> {
        conn.execute_batch(&format!("DROP TABLE {ROWS}; ALTER TABLE {SAVING} RENAME TO {ROWS};"))?;
        indexes.iter().try_for_each(|sql| Ok(conn.execute_batch(sql)?))
    })();
    conn.pragma_update(None, "threads", threads)?;
    built
}

/// True when `run`'s members are rows; otherwise they are read from the archive.
pub(crate) fn has_rows(conn: &Connection, run: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM evaluation_members WHERE run_id = ?1)")?
        .query_row([run], |r| r.get(0))?)
}

/// Archives every stored run from its rows, then keeps the rows of the latest complete run
/// only: the step that brings a database to the archive.
pub fn archive_stored_runs(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY id")?;
    let runs = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    runs.into_iter().try_for_each(|run| archive_rows(conn, run))?;
    start(conn)?;
    conn.execute(
        &format!(
            "INSERT INTO {SAVING} SELECT * FROM {ROWS} WHERE run_id =
               (SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1)
             ORDER BY run_id, customer_id"
        ),
        [],
    )?;
    finish(conn)
}

/// Writes the archive of `run` anew from its rows as they were before they held places and
/// only the figures SQL reads (0024's step, while every run had rows of every figure).
fn archive_rows(conn: &Connection, run: i64) -> Result<()> {
    conn.execute("DELETE FROM evaluation_archive WHERE run_id = ?1", [run])?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM evaluation_members m WHERE m.run_id = ?1 ORDER BY m.customer_id",
        member_columns("m")
    ))?;
    let mut rows = stmt.query([run])?;
    let mut chunk: Vec<Archived> = Vec::with_capacity(archive::CHUNK);
    while let Some(row) = rows.next()? {
        chunk.push(read_member(row)?);
        if chunk.len() == archive::CHUNK {
            archive::append(conn, run, &chunk)?;
            chunk.clear();
        }
    }
    archive::append(conn, run, &chunk)
}

/// The run the lists, My day and the survey list read standings from: the one whose rows
/// are built, the latest complete run except for the seconds after a save, while its rows
/// are being built ([`build_latest`]).
pub fn listed_run(conn: &Connection) -> Result<Option<(i64, NaiveDate)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, as_of FROM evaluation_runs r
             WHERE complete = 1 AND EXISTS (SELECT 1 FROM evaluation_members m WHERE m.run_id = r.id)
             ORDER BY as_of DESC, id DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The latest complete run, when its rows are still to be built: the rows hold another
/// run's members (or none while it has some).
pub fn latest_without_rows(conn: &Connection) -> Result<Option<i64>> {
    let latest = latest_complete(conn)?;
    let rows_of: Option<i64> =
        conn.prepare_cached("SELECT run_id FROM evaluation_members LIMIT 1")?.query_row([], |r| r.get(0)).optional()?;
    match latest {
        Some(run) if rows_of != Some(run) && (rows_of.is_some() || archived(conn, run)?) => Ok(Some(run)),
        _ => Ok(None),
    }
}

/// The latest complete run, the one whose members the rows should hold.
fn latest_complete(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

/// Whether `run` has chunks in the archive.
pub(super) fn archived(conn: &Connection, run: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM evaluation_archive WHERE run_id = ?1)")?
        .query_row([run], |r| r.get(0))?)
}

/// Builds the rows of the latest run from its archive when a save left them to be built,
/// and puts them in place of the previous run's; returns the run, or None when there was
/// nothing to build. A save stores only the archive, so that the user does not wait for a
/// million rows and four indexes; this runs after it (in the app, in the background).
///
/// Members are copied a few chunks per transaction, so edits go on meanwhile; chunks a
/// refresh rewrote during the copy are copied again in the transaction that swaps the
/// tables.
///
/// # Errors
/// A conflict while an evaluation or another build holds the lease; database errors (then
/// the previous rows stay, and the next build starts again).
pub fn build_latest(db: &Database) -> Result<Option<i64>> {
    build_latest_with(db, &mut || Ok(()))
}

/// [`build_latest`], with `between` called after each batch of chunks is copied.
pub(crate) fn build_latest_with(db: &Database, between: &mut dyn FnMut() -> Result<()>) -> Result<Option<i64>> {
    if db.with_conn(latest_without_rows)?.is_none() {
        return Ok(None);
    }
    let lease = Lease::take(db, Utc::now())?;
    // Read again under the lease: another build may have finished meanwhile.
    let Some(run) = db.with_conn(latest_without_rows)? else { return Ok(None) };
    db.with_tx(|tx| start(tx))?;
    let built = (|| -> Result<()> {
        let customers = db.with_conn(existing_customers)?;
        let mut copied: HashMap<i64, u64> = HashMap::new();
        let mut after = i64::MIN;
        loop {
            let more = db.with_tx(|tx| {
                let chunks = chunks_after(tx, run, after, BUILD_BATCH)?;
                for (first, data) in &chunks {
                    copy_chunk(tx, run, data, &customers)?;
                    copied.insert(*first, fingerprint(data));
                    after = *first;
                }
                Ok(chunks.len() == BUILD_BATCH)
            })?;
            between()?;
            if !more {
                break;
            }
        }
        db.with_tx(|tx| {
            lease.confirm(tx)?;
            // Chunks a refresh rewrote after they were copied; the customers are read again,
            // once, when there is one.
            let mut now_existing = None;
            for (first, data) in chunks_after(tx, run, i64::MIN, usize::MAX)? {
                if copied.get(&first) != Some(&fingerprint(&data)) {
                    let last = decode(&data)?.last().map_or(first, |(m, _)| m.measures.customer_id);
                    tx.execute(
                        &format!("DELETE FROM {SAVING} WHERE customer_id BETWEEN ?1 AND ?2"),
                        params![first, last],
                    )?;
                    if now_existing.is_none() {
                        now_existing = Some(existing_customers(tx)?);
                    }
                    copy_chunk(tx, run, &data, now_existing.as_deref().unwrap_or_default())?;
                }
            }
            finish(tx)
        })
    })();
    if built.is_err() {
        let _ = db.with_tx(|tx| drop_saving(tx));
    }
    built.map(|()| Some(run))
}

/// Archive chunks copied per transaction while rows are built.
const BUILD_BATCH: usize = 12;

fn chunks_after(conn: &Connection, run: i64, after: i64, limit: usize) -> Result<Vec<(i64, Vec<u8>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT first_customer, data FROM evaluation_archive WHERE run_id = ?1 AND first_customer > ?2
         ORDER BY first_customer LIMIT ?3",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let chunks = stmt.query_map(params![run, after, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(chunks.collect::<rusqlite::Result<_>>()?)
}

/// Writes one archive chunk's members as rows, leaving out customers since removed for
/// good (their rows would have gone with them).
fn copy_chunk(conn: &Connection, run: i64, data: &[u8], customers: &[bool]) -> Result<()> {
    let mut insert = conn.prepare_cached(&insert_row_sql(SAVING))?;
    for (m, refreshed) in decode(data)? {
        let id = m.measures.customer_id;
        if usize::try_from(id).ok().and_then(|i| customers.get(i)).copied().unwrap_or(false) {
            write_row(&mut insert, run, &m, refreshed)?;
        }
    }
    Ok(())
}

/// Builds the rows of the latest complete run from its archive at once, in the caller's
/// transaction: after a change of their shape, or members written by hand.
pub fn rebuild_latest_rows(conn: &Connection) -> Result<()> {
    start(conn)?;
    if let Some(run) = latest_complete(conn)? {
        let customers = existing_customers(conn)?;
        for (_, data) in chunks_after(conn, run, i64::MIN, usize::MAX)? {
            copy_chunk(conn, run, &data, &customers)?;
        }
    }
    finish(conn)
}

/// Makes `members` (in any order) the members of `run`, as a save leaves them: its archive,
/// its standings, and the rows when it is the latest complete run. For tools and tests that
/// need runs of chosen standings.
#[doc(hidden)]
pub fn put_members(conn: &Connection, run: i64, members: &[Member]) -> Result<()> {
    let mut all: Vec<Archived> = members.iter().map(|m| (m.clone(), None)).collect();
    all.sort_by_key(|(m, _)| m.measures.customer_id);
    all.dedup_by_key(|(m, _)| m.measures.customer_id);
    conn.execute("DELETE FROM evaluation_archive WHERE run_id = ?1", [run])?;
    archive::append(conn, run, &all)?;
    super::cells::rebuild_standings(conn, run)?;
    rebuild_latest_rows(conn)
}

/// Every member of `run`, ascending by customer.
#[doc(hidden)]
pub fn stored_members(conn: &Connection, run: i64) -> Result<Vec<Member>> {
    let mut all = Vec::new();
    archive::each(conn, run, |(m, _)| {
        all.push(m.clone());
        Ok(())
    })?;
    Ok(all)
}

/// Which customer ids have a row, trashed or not.
pub(crate) fn existing_customers(conn: &Connection) -> Result<Vec<bool>> {
    let max: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM customers", [], |r| r.get(0))?;
    let mut exists = vec![false; usize::try_from(max).unwrap_or(0) + 1];
    let mut stmt = conn.prepare("SELECT id FROM customers")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        if let Some(slot) = usize::try_from(row.get::<_, i64>(0)?).ok().and_then(|i| exists.get_mut(i)) {
            *slot = true;
        }
    }
    Ok(exists)
}

fn fingerprint(data: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut h);
    h.finish()
}

/// Empties the rows when their run is about to be removed: a dropped table instead of a
/// million deletes from four indexes.
pub(super) fn clear_if_pruned(conn: &Connection, keep: u32) -> Result<()> {
    let pruned: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM evaluation_runs WHERE complete = 1
           AND id = (SELECT run_id FROM evaluation_members LIMIT 1)
           AND id NOT IN (SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY as_of DESC, id DESC LIMIT ?1))",
        [keep],
        |r| r.get(0),
    )?;
    if pruned {
        start(conn)?;
        finish(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::store::{members, run_beside, MemberFilter, Trigger};

    #[test]
    fn a_refresh_while_the_rows_are_copied_is_in_them_once_built() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("rows.sqlite")).expect("open");
        let as_of = NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
        db.with_tx(|tx| {
            crate::demo::generate(tx, crate::demo::DemoSettings::new(120, 3, as_of), Utc::now(), |_, _| {})
        })
        .expect("demo");
        let run = run_beside(&db, as_of, Trigger::Manual, &mut |_, _| {}, |_, _| Ok(())).expect("run").0.id;
        let page = db.with_conn(|c| members(c, run, &MemberFilter::default(), 0, 200)).expect("members");
        let buyer = page.items.iter().find(|r| r.member.measures.purchase_days > 0).expect("a buyer");
        let id = buyer.member.measures.customer_id;
        let mut refreshed = None;
        let built = build_latest_with(&db, &mut || {
            if refreshed.is_none() {
                db.with_conn(|c| {
                    c.execute(
                        "INSERT INTO orders (customer_id, ordered_on, amount_minor, currency)
                         VALUES (?1, '2026-11-02', 77700, 'CNY')",
                        [id],
                    )?;
                    Ok(())
                })?;
                let today = NaiveDate::from_ymd_opt(2026, 11, 3).expect("date");
                refreshed = crate::evaluation::refresh::refresh_customer(&db, id, today)?;
            }
            Ok(())
        })
        .expect("build");
        assert_eq!(built, Some(run));
        let refreshed = refreshed.expect("a member refreshed");
        assert_ne!(refreshed.measures, buyer.member.measures);
        let m = &refreshed.measures;
        let row = db
            .with_conn(|c| {
                Ok(c.query_row(
                    "SELECT contribution_minor, recency_days, p_alive, predicted_clv_minor, refreshed_on
                     FROM evaluation_members WHERE customer_id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )?)
            })
            .expect("row");
        let on = NaiveDate::from_ymd_opt(2026, 11, 3);
        assert_eq!(
            row,
            (m.contribution_minor, m.recency_days, m.p_alive, m.predicted_clv_minor, on),
            "the row holds the refresh made after its chunk was copied"
        );
    }
}

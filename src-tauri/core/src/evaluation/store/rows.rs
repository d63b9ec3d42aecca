//! The latest run's members as indexed rows (`evaluation_members`), for what filters, sorts
//! and counts them in SQL. A run that becomes the latest fills a new table without indexes,
//! which is then indexed in one sorted pass and takes the old one's place: a save costs the
//! same however many runs are kept, and the previous run's rows go with a dropped table
//! rather than a million deletes from four indexes.

use super::archive::{self, Archived};
use super::members::{member_columns, read_member};
use crate::error::{Error, Result};
use rusqlite::Connection;

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

/// Writes the archive of `run` anew from its rows (only the latest run has rows): after
/// the rows were changed in SQL.
pub fn archive_rows(conn: &Connection, run: i64) -> Result<()> {
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

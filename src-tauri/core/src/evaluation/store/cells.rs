//! A run's standings in compact form: its members per standing cell (tier, RFM segment, value
//! class, lifecycle stage, service level), each cell numbered within the run, and each
//! member's cell number by customer id in two bytes. A filter on the run's standings is
//! counted from a few hundred cells, and the survey results group a million customers' answers
//! without reading their member rows.
//!
//! Both are written with the run and changed by a refresh, the only two writes of a member's
//! standing: an evaluated customer is never deleted (its member rows keep it referenced, so a
//! reverted import keeps it), and a deleted run takes its cells with it.

use crate::error::{Error, Result};
use crate::evaluation::{Decision, Lifecycle, RfmSegment, ServiceLevel, Tier, ValueClass};
use crate::text_enum::Place;
use rusqlite::{params, Connection, OptionalExtension, MAIN_DB};
use std::collections::HashMap;

/// A standing cell: tier, segment, value class, lifecycle stage and service level as stored.
pub(crate) type Cell = [Option<&'static str>; 5];

/// The code of a customer who is not a member of the run.
const NOT_A_MEMBER: u16 = u16::MAX;

pub(crate) fn cell_of(d: &Decision) -> Cell {
    [
        Some(d.tier.as_str()),
        d.segment.map(RfmSegment::as_str),
        d.value_class.map(ValueClass::as_str),
        Some(d.lifecycle.as_str()),
        Some(d.service_level.as_str()),
    ]
}

/// A cell from five columns from `first` on: as text (the cells) or as places (member rows).
fn read_cell(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Cell> {
    Ok([
        r.get::<_, Option<Place<Tier>>>(first)?.map(|v| v.0.as_str()),
        r.get::<_, Option<Place<RfmSegment>>>(first + 1)?.map(|v| v.0.as_str()),
        r.get::<_, Option<Place<ValueClass>>>(first + 2)?.map(|v| v.0.as_str()),
        r.get::<_, Option<Place<Lifecycle>>>(first + 3)?.map(|v| v.0.as_str()),
        r.get::<_, Option<Place<ServiceLevel>>>(first + 4)?.map(|v| v.0.as_str()),
    ])
}

/// The cell of a member as stored, from the run's codes (whether or not the run has rows);
/// None when the customer is not in the run.
pub(crate) fn stored_cell(conn: &Connection, run: i64, customer: i64) -> Result<Option<Cell>> {
    let Some(code) = stored_code(conn, run, customer)? else { return Ok(None) };
    let found = conn
        .prepare_cached(
            "SELECT tier, segment, value_class, lifecycle, service_level
             FROM evaluation_cells WHERE run_id = ?1 AND cell = ?2",
        )?
        .query_row(params![run, code], |r| read_cell(r, 0))
        .optional()?;
    Ok(found)
}

/// The member's cell number in the run's codes, two bytes read in place.
pub(crate) fn stored_code(conn: &Connection, run: i64, customer: i64) -> Result<Option<u16>> {
    let first: Option<i64> = conn
        .prepare_cached("SELECT first_customer FROM evaluation_standings WHERE run_id = ?1")?
        .query_row([run], |r| r.get(0))
        .optional()?;
    let Some(at) = first.and_then(|first| usize::try_from(customer - first).ok()) else { return Ok(None) };
    let codes = conn.blob_open(MAIN_DB, c"evaluation_standings", c"codes", run, true)?;
    let mut code = [0_u8; 2];
    if at * 2 + 2 > codes.len() {
        return Ok(None);
    }
    codes.read_at_exact(&mut code, at * 2)?;
    let code = u16::from_le_bytes(code);
    Ok((code != NOT_A_MEMBER).then_some(code))
}

fn too_many_cells() -> Error {
    Error::Internal("a run has more standing cells than two bytes number".into())
}

/// The standings of a run being saved, member by member.
#[derive(Debug, Default)]
pub(crate) struct RunCells {
    cells: HashMap<Cell, (u16, i64)>,
    codes: Vec<(i64, u16)>,
}

impl RunCells {
    pub(crate) fn add(&mut self, customer: i64, cell: Cell) -> Result<()> {
        let next = self.cells.len();
        let entry = self.cells.entry(cell).or_insert((u16::try_from(next).unwrap_or(NOT_A_MEMBER), 0));
        if entry.0 == NOT_A_MEMBER {
            return Err(too_many_cells());
        }
        entry.1 += 1;
        self.codes.push((customer, entry.0));
        Ok(())
    }

    pub(crate) fn write(self, conn: &Connection, run: i64) -> Result<()> {
        let mut insert = conn.prepare_cached(
            "INSERT INTO evaluation_cells (run_id, cell, tier, segment, value_class, lifecycle, service_level, members)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for ([tier, segment, value_class, lifecycle, service_level], (number, members)) in self.cells {
            insert.execute(params![run, number, tier, segment, value_class, lifecycle, service_level, members])?;
        }
        write_codes(conn, run, self.codes)
    }
}

/// Stores each customer's cell number as the run's codes.
fn write_codes(conn: &Connection, run: i64, codes: Vec<(i64, u16)>) -> Result<()> {
    let first = codes.iter().map(|c| c.0).min().unwrap_or(0);
    let last = codes.iter().map(|c| c.0).max().unwrap_or(first.saturating_sub(1));
    let len = usize::try_from(last - first + 1).map_err(|_| Error::Internal("customer ids out of order".into()))?;
    let mut blob = vec![0xFF_u8; len * 2];
    for (customer, code) in codes {
        let at = (customer - first) as usize * 2;
        blob[at..at + 2].copy_from_slice(&code.to_le_bytes());
    }
    conn.execute(
        "INSERT INTO evaluation_standings (run_id, first_customer, codes) VALUES (?1, ?2, ?3)",
        params![run, first, blob],
    )?;
    Ok(())
}

/// Members of a refreshed run moving between cells.
#[derive(Debug, Default)]
pub(crate) struct CellMoves(Vec<(i64, Cell, Cell)>);

impl CellMoves {
    pub(crate) fn moved(&mut self, customer: i64, before: Cell, after: Cell) {
        if before != after {
            self.0.push((customer, before, after));
        }
    }

    pub(crate) fn write(self, conn: &Connection, run: i64) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let first: i64 =
            conn.query_row("SELECT first_customer FROM evaluation_standings WHERE run_id = ?1", [run], |r| r.get(0))?;
        let mut codes = conn.blob_open(MAIN_DB, c"evaluation_standings", c"codes", run, false)?;
        let mut find = conn.prepare_cached(
            "SELECT cell FROM evaluation_cells
             WHERE run_id = ?1 AND tier IS ?2 AND segment IS ?3 AND value_class IS ?4 AND lifecycle IS ?5
               AND service_level IS ?6",
        )?;
        let mut add =
            conn.prepare_cached("UPDATE evaluation_cells SET members = members + ?3 WHERE run_id = ?1 AND cell = ?2")?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO evaluation_cells (run_id, cell, tier, segment, value_class, lifecycle, service_level, members)
             VALUES (?1, (SELECT coalesce(max(cell) + 1, 0) FROM evaluation_cells WHERE run_id = ?1), ?2, ?3, ?4, ?5, ?6, 0)
             RETURNING cell",
        )?;
        for (customer, before, after) in self.0 {
            let mut number = |[t, s, v, l, sl]: Cell| -> Result<u16> {
                let found: Option<u16> = find.query_row(params![run, t, s, v, l, sl], |r| r.get(0)).optional()?;
                match found {
                    Some(n) => Ok(n),
                    None => {
                        let n: u16 = insert.query_row(params![run, t, s, v, l, sl], |r| r.get(0))?;
                        if n == NOT_A_MEMBER {
                            return Err(too_many_cells());
                        }
                        Ok(n)
                    }
                }
            };
            let (from, to) = (number(before)?, number(after)?);
            add.execute(params![run, from, -1])?;
            add.execute(params![run, to, 1])?;
            let at = usize::try_from(customer - first).map_err(|_| Error::Internal("member outside its run".into()))?;
            codes.write_at(&to.to_le_bytes(), at * 2)?;
        }
        Ok(())
    }
}

/// One standing cell of a run as stored, with its members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandingCell {
    pub tier: Option<String>,
    pub segment: Option<String>,
    pub value_class: Option<String>,
    pub lifecycle: Option<String>,
    pub service_level: Option<String>,
    pub members: u32,
}

/// A run's standings read whole: each customer's cell number, and the cells.
#[derive(Debug, Default)]
pub struct RunStandings {
    first: i64,
    codes: Vec<u8>,
    /// By cell number.
    pub cells: Vec<StandingCell>,
}

impl RunStandings {
    pub fn load(conn: &Connection, run: i64) -> Result<Self> {
        let (first, codes): (i64, Vec<u8>) = conn
            .query_row("SELECT first_customer, codes FROM evaluation_standings WHERE run_id = ?1", [run], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .unwrap_or_default();
        let mut cells = Vec::new();
        let mut stmt = conn.prepare_cached(
            "SELECT cell, tier, segment, value_class, lifecycle, service_level, members
             FROM evaluation_cells WHERE run_id = ?1",
        )?;
        let mut rows = stmt.query([run])?;
        while let Some(r) = rows.next()? {
            let number = usize::from(r.get::<_, u16>(0)?);
            if cells.len() <= number {
                cells.resize(number + 1, StandingCell::default());
            }
            cells[number] = StandingCell {
                tier: r.get(1)?,
                segment: r.get(2)?,
                value_class: r.get(3)?,
                lifecycle: r.get(4)?,
                service_level: r.get(5)?,
                members: r.get(6)?,
            };
        }
        Ok(RunStandings { first, codes, cells })
    }

    /// The customer's cell number, None when not a member.
    pub fn cell(&self, customer: i64) -> Option<usize> {
        let at = usize::try_from(customer - self.first).ok()? * 2;
        let code = u16::from_le_bytes(self.codes.get(at..at + 2)?.try_into().ok()?);
        (code != NOT_A_MEMBER).then_some(usize::from(code))
    }

    /// The members in the cells `kept` (by cell number) says, ascending.
    pub fn customers_in(&self, kept: &[bool]) -> Vec<i64> {
        let mut ids = Vec::new();
        for (i, code) in self.codes.chunks_exact(2).enumerate() {
            let code = u16::from_le_bytes([code[0], code[1]]);
            if kept.get(usize::from(code)).copied().unwrap_or(false) {
                ids.push(self.first + i as i64);
            }
        }
        ids
    }
}

/// Makes a run's cells and codes again from its members: from its archive, or, for runs
/// saved before there was one (the migration that added the codes), from its member rows.
pub fn rebuild_standings(conn: &Connection, run: i64) -> Result<()> {
    conn.execute("DELETE FROM evaluation_cells WHERE run_id = ?1", [run])?;
    conn.execute("DELETE FROM evaluation_standings WHERE run_id = ?1", [run])?;
    let mut cells = RunCells::default();
    // Before the archive's migration there is no table to ask.
    let has_archive: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evaluation_archive')",
        [],
        |r| r.get(0),
    )?;
    if has_archive && super::rows::archived(conn, run)? {
        super::archive::each(conn, run, |(m, _)| cells.add(m.measures.customer_id, cell_of(&m.decision)))?;
        return cells.write(conn, run);
    }
    let mut stmt = conn.prepare(
        "SELECT customer_id, tier, segment, value_class, lifecycle, service_level
         FROM evaluation_members NOT INDEXED WHERE run_id = ?1",
    )?;
    let mut rows = stmt.query([run])?;
    while let Some(r) = rows.next()? {
        cells.add(r.get(0)?, read_cell(r, 1)?)?;
    }
    cells.write(conn, run)
}

/// [`rebuild_standings`] of every stored run.
pub(crate) fn rebuild_all_standings(conn: &Connection) -> Result<()> {
    let runs: Vec<i64> = conn
        .prepare("SELECT id FROM evaluation_runs")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    runs.into_iter().try_for_each(|run| rebuild_standings(conn, run))
}

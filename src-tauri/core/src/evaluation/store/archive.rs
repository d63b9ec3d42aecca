//! Every stored run in compact form: its members in chunks of [`CHUNK`] customers, each
//! chunk's fields written column after column and compressed with zstd. A run of a million
//! members takes a few tens of megabytes here, against about 170 as indexed rows.
//!
//! Only the latest run also has rows in `evaluation_members`, for what searches and sorts
//! them in SQL (the list, My day, the survey list). History, migration and the members of
//! older runs are read from here. A refresh changes both, so the two never disagree.

use super::members::{decode_columns, encode_columns, member_values};
use crate::error::{Error, Result};
use crate::evaluation::{
    Behaviour, ExitStep, Lifecycle, Member, NextActionKind, RfmSegment, ServiceLevel, Tier, ValueClass,
};
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rusqlite::{params, Connection, OptionalExtension};

/// Members per chunk: a customer's history reads one chunk of each run, a few hundred
/// kilobytes to inflate, and a whole run is a few hundred chunks.
pub(crate) const CHUNK: usize = 4096;

/// zstd's level: on a million members level 3 took a third longer to encode and compress
/// than level 1 and saved only 1.4 % of the bytes (36.9 MB against 37.4). Chunks of any level
/// read back alike.
const LEVEL: i32 = 1;

/// The format of a chunk's bytes before compression, written first. Format 1 kept the two
/// floats whole and the contribution as a column of its own; chunks of either read back.
const FORMAT: u8 = 2;

/// Decimal places P(alive) is kept to: far finer than anything shown or decided on, at a
/// third of the bytes of the float.
pub(super) const P_ALIVE_PLACES: u32 = 7;
/// Decimal places the expected purchases are kept to.
pub(super) const PURCHASES_PLACES: u32 = 6;

/// An optional float kept to `PLACES` decimals, as a whole number of those; one too large or
/// not finite is kept whole.
pub(super) struct Fixed<const PLACES: u32>(pub(super) Option<f64>);

impl<const PLACES: u32> Fixed<PLACES> {
    const SCALE: f64 = 10_u64.pow(PLACES) as f64;
    /// Beyond this every whole number is no longer a float of its own.
    const LIMIT: f64 = (1_u64 << 53) as f64;
}

impl<const PLACES: u32> Column for Fixed<PLACES> {
    fn put(&self, out: &mut Vec<u8>) {
        match self.0 {
            None => out.push(0),
            Some(v) if (v * Self::SCALE).abs() < Self::LIMIT => {
                out.push(1);
                ((v * Self::SCALE).round() as i64).put(out);
            }
            Some(v) => {
                out.push(2);
                v.put(out);
            }
        }
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        Ok(Fixed(match take_byte(input)? {
            0 => None,
            1 => Some(i64::take(input)? as f64 / Self::SCALE),
            2 => Some(f64::take(input)?),
            _ => return Err(damaged()),
        }))
    }
}

/// What a member's contribution differs by from its window's margin less service cost: 0
/// for every member the engine measured.
pub(super) fn contribution_rest(m: &crate::evaluation::Measures) -> i64 {
    m.contribution_minor.wrapping_sub(m.window_margin_minor.wrapping_sub(m.window_service_cost_minor))
}

/// The contribution of `m`, read with [`contribution_rest`] in its place.
pub(super) fn contribution_with_rest(m: &crate::evaluation::Measures) -> i64 {
    m.contribution_minor.wrapping_add(m.window_margin_minor.wrapping_sub(m.window_service_cost_minor))
}

/// A member as archived: with the date a later refresh evaluated it at.
pub(crate) type Archived = (Member, Option<NaiveDate>);

/// A field written as bytes: integers as LEB128 varints (signed ones zigzagged), floats as
/// their eight bytes, enums as their place in the list of variants.
pub(super) trait Column: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn take(input: &mut &[u8]) -> Result<Self>;
}

pub(super) fn damaged() -> Error {
    Error::Internal("a stored run's archive is damaged".into())
}

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn take_varint(input: &mut &[u8]) -> Result<u64> {
    let mut v = 0_u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first().ok_or_else(damaged)?;
        *input = rest;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(v);
        }
    }
    Err(damaged())
}

fn take_byte(input: &mut &[u8]) -> Result<u8> {
    let (&byte, rest) = input.split_first().ok_or_else(damaged)?;
    *input = rest;
    Ok(byte)
}

impl Column for u64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(*self, out);
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        take_varint(input)
    }
}

impl Column for i64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(((self << 1) ^ (self >> 63)) as u64, out);
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        let v = take_varint(input)?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
}

impl Column for u32 {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(u64::from(*self), out);
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        u32::try_from(take_varint(input)?).map_err(|_| damaged())
    }
}

impl Column for u8 {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        take_byte(input)
    }
}

impl Column for bool {
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        match take_byte(input)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(damaged()),
        }
    }
}

impl Column for f64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        let (bytes, rest) = input.split_first_chunk::<8>().ok_or_else(damaged)?;
        *input = rest;
        Ok(f64::from_le_bytes(*bytes))
    }
}

impl Column for NaiveDate {
    fn put(&self, out: &mut Vec<u8>) {
        i64::from(self.num_days_from_ce()).put(out);
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        let days = i32::try_from(i64::take(input)?).map_err(|_| damaged())?;
        NaiveDate::from_num_days_from_ce_opt(days).ok_or_else(damaged)
    }
}

impl<T: Column> Column for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    fn take(input: &mut &[u8]) -> Result<Self> {
        match take_byte(input)? {
            0 => Ok(None),
            1 => Ok(Some(T::take(input)?)),
            _ => Err(damaged()),
        }
    }
}

macro_rules! enum_columns {
    ($($t:ty),+) => {$(
        impl Column for $t {
            fn put(&self, out: &mut Vec<u8>) {
                let place = <$t>::ALL.iter().position(|v| v == self).unwrap_or(0);
                out.push(place as u8);
            }
            fn take(input: &mut &[u8]) -> Result<Self> {
                <$t>::ALL.get(usize::from(take_byte(input)?)).copied().ok_or_else(damaged)
            }
        }
    )+};
}

enum_columns!(Tier, RfmSegment, ValueClass, Lifecycle, Behaviour, ServiceLevel, ExitStep, NextActionKind);

/// Encodes chunks one after another, keeping the bytes before compression and zstd's context
/// from one to the next.
pub(crate) struct Encoder {
    raw: Vec<u8>,
    zstd: zstd::bulk::Compressor<'static>,
}

fn compress_error(e: std::io::Error) -> Error {
    Error::Internal(format!("compressing a run: {e}"))
}

impl Encoder {
    pub(crate) fn new() -> Result<Self> {
        Ok(Encoder { raw: Vec::new(), zstd: zstd::bulk::Compressor::new(LEVEL).map_err(compress_error)? })
    }

    /// The compressed bytes of members in ascending customer order.
    pub(crate) fn encode(&mut self, members: &[Archived]) -> Result<Vec<u8>> {
        let raw = &mut self.raw;
        raw.clear();
        raw.reserve(members.len() * 96 + 8);
        raw.push(FORMAT);
        (members.len() as u64).put(raw);
        encode_columns(members, raw);
        self.zstd.compress(raw).map_err(compress_error)
    }
}

/// The compressed bytes of members in ascending customer order.
pub(crate) fn encode(members: &[Archived]) -> Result<Vec<u8>> {
    Encoder::new()?.encode(members)
}

/// A member as a stored run keeps it: P(alive) and the expected purchases to their places.
pub fn as_stored(member: &Member) -> Result<Member> {
    let kept = decode(&encode(&[(member.clone(), None)])?)?;
    kept.into_iter().next().map(|(m, _)| m).ok_or_else(damaged)
}

/// The members of one chunk, as [`encode`] wrote them.
pub(crate) fn decode(data: &[u8]) -> Result<Vec<Archived>> {
    // Each member takes at least one byte per field: a bound on what a chunk can inflate to.
    let raw = zstd::bulk::decompress(data, CHUNK * 1024).map_err(|_| damaged())?;
    let mut input = raw.as_slice();
    let format = take_byte(&mut input)?;
    if !(1..=FORMAT).contains(&format) {
        return Err(damaged());
    }
    let n = usize::try_from(u64::take(&mut input)?).map_err(|_| damaged())?;
    if n > CHUNK {
        return Err(damaged());
    }
    let members = decode_columns(n, format, &mut input)?;
    if !input.is_empty() {
        return Err(damaged());
    }
    Ok(members)
}

/// Archives members of `run` (ascending customer order, following any archived before) in
/// chunks of [`CHUNK`]; the caller's transaction makes a run's chunks appear together.
pub(crate) fn append(conn: &Connection, run: i64, members: &[Archived]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO evaluation_archive (run_id, first_customer, last_customer, members, data)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    // Chunks are encoded and compressed side by side; only their inserts take turns.
    let chunks: Vec<&[Archived]> = members.chunks(CHUNK).collect();
    let encoded = chunks
        .par_iter()
        .map_init(Encoder::new, |encoder, chunk| match encoder {
            Ok(encoder) => encoder.encode(chunk),
            Err(e) => Err(Error::Internal(e.to_string())),
        })
        .collect::<Result<Vec<_>>>()?;
    for (chunk, data) in chunks.iter().zip(encoded) {
        let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else { continue };
        insert.execute(params![
            run,
            first.0.measures.customer_id,
            last.0.measures.customer_id,
            chunk.len() as i64,
            data
        ])?;
    }
    Ok(())
}

/// Archives every member of `evaluation` as `run`'s, in the batches a save writes them, and
/// nothing else of a save: what benchmarks time of it.
#[doc(hidden)]
pub fn append_evaluation(conn: &Connection, run: i64, evaluation: &crate::evaluation::Evaluation) -> Result<()> {
    let mut batch: Vec<Archived> = Vec::with_capacity(super::SAVE_BATCH);
    for start in (0..evaluation.len()).step_by(super::SAVE_BATCH) {
        batch.clear();
        let end = (start + super::SAVE_BATCH).min(evaluation.len());
        for i in start..end {
            batch.push((Member { measures: evaluation.measures(i), decision: evaluation.decisions[i].clone() }, None));
        }
        append(conn, run, &batch)?;
    }
    Ok(())
}

/// What the archive of `evaluation` takes: its compressed bytes at zstd levels 1 to 3 with the
/// seconds each took to encode and compress, then each column's bytes before and after
/// compression (each column of a chunk compressed on its own, at the level used).
#[doc(hidden)]
pub fn archive_figures(evaluation: &crate::evaluation::Evaluation) -> Result<ArchiveFigures> {
    let members: Vec<Archived> = (0..evaluation.len())
        .map(|i| (Member { measures: evaluation.measures(i), decision: evaluation.decisions[i].clone() }, None))
        .collect();
    let mut figures = ArchiveFigures::default();
    for level in 1..=3 {
        let clock = std::time::Instant::now();
        let mut zstd = zstd::bulk::Compressor::new(level).map_err(compress_error)?;
        let (mut raw, mut bytes) = (Vec::new(), 0);
        for chunk in members.chunks(CHUNK) {
            raw.clear();
            raw.push(FORMAT);
            (chunk.len() as u64).put(&mut raw);
            encode_columns(chunk, &mut raw);
            bytes += zstd.compress(&raw).map_err(compress_error)?.len();
        }
        figures.levels.push((level, bytes, clock.elapsed().as_secs_f64()));
    }
    let mut zstd = zstd::bulk::Compressor::new(LEVEL).map_err(compress_error)?;
    for chunk in members.chunks(CHUNK) {
        for (i, (name, bytes)) in super::members::encoded_columns(chunk).into_iter().enumerate() {
            let compressed = zstd.compress(&bytes).map_err(compress_error)?.len();
            if figures.columns.len() <= i {
                figures.columns.push((name, 0, 0));
            }
            figures.columns[i].1 += bytes.len();
            figures.columns[i].2 += compressed;
        }
    }
    Ok(figures)
}

/// See [`archive_figures`].
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct ArchiveFigures {
    /// zstd's level, the compressed bytes, the seconds.
    pub levels: Vec<(i32, usize, f64)>,
    /// A column's name, its bytes, compressed on its own.
    pub columns: Vec<(&'static str, usize, usize)>,
}

/// The chunk of `run` that would hold `customer`: its first customer and its members.
fn chunk_of(conn: &Connection, run: i64, customer: i64) -> Result<Option<(i64, Vec<Archived>)>> {
    let found: Option<(i64, i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT first_customer, last_customer, data FROM evaluation_archive
             WHERE run_id = ?1 AND first_customer <= ?2 ORDER BY first_customer DESC LIMIT 1",
        )?
        .query_row([run, customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    found.filter(|(_, last, _)| *last >= customer).map(|(first, _, data)| Ok((first, decode(&data)?))).transpose()
}

/// One customer's member of `run`, with the date a refresh evaluated it at.
pub(crate) fn member(conn: &Connection, run: i64, customer: i64) -> Result<Option<Archived>> {
    let Some((_, members)) = chunk_of(conn, run, customer)? else { return Ok(None) };
    Ok(members.binary_search_by_key(&customer, |(m, _)| m.measures.customer_id).ok().map(|i| members[i].clone()))
}

/// The members of `run` of customers `ids` (ascending) that it has, each chunk inflated once.
pub(crate) fn members_of(conn: &Connection, run: i64, ids: &[i64]) -> Result<Vec<Archived>> {
    let mut found = Vec::with_capacity(ids.len());
    let mut chunk: Option<(i64, Vec<Archived>)> = None;
    for &id in ids {
        let last = chunk.as_ref().and_then(|(_, members)| members.last()).map(|(m, _)| m.measures.customer_id);
        let held = chunk.as_ref().is_some_and(|(first, _)| *first <= id) && last.is_some_and(|last| id <= last);
        if !held {
            chunk = chunk_of(conn, run, id)?;
        }
        if let Some((_, members)) = &chunk {
            if let Ok(i) = members.binary_search_by_key(&id, |(m, _)| m.measures.customer_id) {
                found.push(members[i].clone());
            }
        }
    }
    Ok(found)
}

/// Every member of `run` in ascending customer order, a chunk inflated at a time.
pub(crate) fn each(conn: &Connection, run: i64, mut visit: impl FnMut(&Archived) -> Result<()>) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT data FROM evaluation_archive WHERE run_id = ?1 ORDER BY first_customer")?;
    let mut rows = stmt.query([run])?;
    while let Some(row) = rows.next()? {
        let data = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        for m in &decode(data)? {
            visit(m)?;
        }
    }
    Ok(())
}

/// Replaces archived members of `run` by their figures refreshed `on` that date (ascending
/// customer order; customers without an archived member are left out), rewriting each chunk
/// touched once.
pub(crate) fn replace(conn: &Connection, run: i64, refreshed: &[Member], on: NaiveDate) -> Result<()> {
    let mut update =
        conn.prepare_cached("UPDATE evaluation_archive SET data = ?3 WHERE run_id = ?1 AND first_customer = ?2")?;
    let mut next = 0;
    while let Some(m) = refreshed.get(next) {
        let Some((first, mut members)) = chunk_of(conn, run, m.measures.customer_id)? else {
            next += 1;
            continue;
        };
        let last = members.last().map_or(i64::MIN, |(m, _)| m.measures.customer_id);
        while let Some(new) = refreshed.get(next).filter(|m| m.measures.customer_id <= last) {
            if let Ok(i) = members.binary_search_by_key(&new.measures.customer_id, |(m, _)| m.measures.customer_id) {
                members[i] = (new.clone(), Some(on));
            }
            next += 1;
        }
        update.execute(params![run, first, encode(&members)?])?;
    }
    Ok(())
}

/// Bytes the archive of `run` takes, compressed.
pub fn archived_bytes(conn: &Connection, run: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(length(data)), 0) FROM evaluation_archive WHERE run_id = ?1",
        [run],
        |r| r.get(0),
    )?)
}

/// Every member of every complete run, as the values of a member row (run first), run by
/// run in id order, customers ascending: what a full export of the database writes.
pub fn each_stored_member(
    conn: &Connection,
    mut visit: impl FnMut(&[rusqlite::types::Value]) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare("SELECT id FROM evaluation_runs WHERE complete = 1 ORDER BY id")?;
    let runs = stmt.query_map([], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    for run in runs {
        each(conn, run, |(m, refreshed)| visit(&member_values(run, &m.measures, &m.decision, *refreshed)?))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_dates_read_back() {
        let mut out = Vec::new();
        let ints = [0_i64, 1, -1, 63, -64, 64, i64::MAX, i64::MIN, 1_234_567_890_123];
        ints.iter().for_each(|v| v.put(&mut out));
        let date = NaiveDate::from_ymd_opt(2026, 12, 6).expect("date");
        Some(date).put(&mut out);
        None::<NaiveDate>.put(&mut out);
        f64::NAN.put(&mut out);
        let mut input = out.as_slice();
        for v in ints {
            assert_eq!(i64::take(&mut input).expect("int"), v);
        }
        assert_eq!(<Option<NaiveDate> as Column>::take(&mut input).expect("date"), Some(date));
        assert_eq!(<Option<NaiveDate> as Column>::take(&mut input).expect("none"), None);
        assert!(f64::take(&mut input).expect("nan").is_nan());
        assert!(input.is_empty());
        assert!(u32::take(&mut input).is_err(), "reading past the end is an error, not a panic");
    }

    fn sample_members() -> Vec<Archived> {
        use crate::evaluation::{Decision, Measures};
        let date = NaiveDate::from_ymd_opt(2026, 1, 31).expect("date");
        (1..=300_i64)
            .map(|id| {
                let measures = Measures {
                    customer_id: id * 3,
                    recency_days: Some(id as u32 % 40),
                    frequency: id as u32 % 7,
                    monetary_minor: id * 1234 - 5000,
                    window_margin_minor: id * 700,
                    window_service_cost_minor: id % 4 * 50,
                    // As measured for most; a few as a hand-made member might have it.
                    contribution_minor: id * 700 - id % 4 * 50 + if id % 50 == 0 { 13 } else { 0 },
                    p_alive: (id % 5 != 0).then(|| 1.0 / id as f64),
                    expected_purchases: Some(if id % 97 == 0 { f64::INFINITY } else { id as f64 * 0.37 }),
                    ..Measures::default()
                };
                let decision = Decision {
                    r_score: Some(1),
                    f_score: None,
                    m_score: Some(5),
                    segment: None,
                    value_class: None,
                    tier: Tier::ALL[id as usize % Tier::ALL.len()],
                    potential_head: id % 2 == 0,
                    influential: false,
                    lifecycle: Lifecycle::ALL[id as usize % Lifecycle::ALL.len()],
                    behaviour: None,
                    service_level: ServiceLevel::ALL[0],
                    low_value_runs: 0,
                    exit_runs: 0,
                    exit_step: None,
                    next_action: None,
                    upsell_category: Some(2),
                };
                (Member { measures, decision }, (id % 3 == 0).then_some(date))
            })
            .collect()
    }

    /// `members` with the two floats as the archive keeps them.
    fn kept(members: &[Archived]) -> Vec<Archived> {
        let round = |v: Option<f64>, places: i32| {
            v.map(|v| if v.is_finite() { (v * 10_f64.powi(places)).round() / 10_f64.powi(places) } else { v })
        };
        members
            .iter()
            .cloned()
            .map(|(mut m, refreshed)| {
                m.measures.p_alive = round(m.measures.p_alive, P_ALIVE_PLACES as i32);
                m.measures.expected_purchases = round(m.measures.expected_purchases, PURCHASES_PLACES as i32);
                (m, refreshed)
            })
            .collect()
    }

    #[test]
    fn chunks_compressed_at_any_level_read_back_alike() {
        let members = sample_members();
        let mut raw = vec![FORMAT];
        (members.len() as u64).put(&mut raw);
        encode_columns(&members, &mut raw);
        let expected = kept(&members);
        assert_ne!(expected, members, "some floats have more places than are kept");
        // Runs archived at other levels than today's still read.
        for level in [1, 3, 19] {
            let data = zstd::bulk::compress(&raw, level).expect("compress");
            assert_eq!(decode(&data).expect("decode"), expected, "level {level}");
        }
        let mut encoder = Encoder::new().expect("encoder");
        for _ in 0..2 {
            assert_eq!(decode(&encoder.encode(&members).expect("encode")).expect("decode"), expected);
        }
        // Kept once, a member reads back the same ever after.
        assert_eq!(decode(&encode(&expected).expect("encode")).expect("decode"), expected);
    }

    #[test]
    fn chunks_of_the_first_format_read_back_whole() {
        let members = sample_members();
        // The first format: the floats whole, the contribution as itself.
        let mut raw = vec![1_u8];
        (members.len() as u64).put(&mut raw);
        for (name, bytes) in super::super::members::encoded_columns(&members) {
            match name {
                "p_alive" => members.iter().for_each(|(m, _)| m.measures.p_alive.put(&mut raw)),
                "expected_purchases" => members.iter().for_each(|(m, _)| m.measures.expected_purchases.put(&mut raw)),
                "contribution_minor" => members.iter().for_each(|(m, _)| m.measures.contribution_minor.put(&mut raw)),
                _ => raw.extend_from_slice(&bytes),
            }
        }
        let data = zstd::bulk::compress(&raw, LEVEL).expect("compress");
        assert_eq!(decode(&data).expect("decode"), members);
    }

    #[test]
    fn a_float_kept_to_places_reads_back_as_the_nearest_decimal() {
        let mut out = Vec::new();
        let values = [Some(0.123_456_78), Some(1.0), Some(0.0), None, Some(f64::NAN), Some(1e300), Some(-2.5e-8)];
        values.iter().for_each(|v| Fixed::<7>(*v).put(&mut out));
        let mut input = out.as_slice();
        let read: Vec<Option<f64>> = values.iter().map(|_| Fixed::<7>::take(&mut input).expect("read").0).collect();
        assert!(input.is_empty());
        assert_eq!(read[0], Some(0.123_456_8));
        assert_eq!(read[0].map(|v| v.to_string()), Some("0.1234568".to_owned()));
        assert_eq!(&read[1..4], &[Some(1.0), Some(0.0), None]);
        assert!(read[4].is_some_and(f64::is_nan), "not finite: kept whole");
        assert_eq!(read[5], Some(1e300), "too large for the places: kept whole");
        assert_eq!(read[6], Some(-0.0));
        assert!(Fixed::<7>::take(&mut [3_u8].as_slice()).is_err());
    }

    #[test]
    fn damaged_chunks_are_errors() {
        assert!(decode(b"not zstd at all").is_err());
        let raw = zstd::bulk::compress(&[FORMAT, 5, 1, 2], LEVEL).expect("compress");
        assert!(decode(&raw).is_err(), "five members promised, bytes for none");
    }
}

//! Opening a spreadsheet file as a header and a stream of rows: CSV in any common encoding
//! and delimiter, streamed record by record; xlsx/xls/ods through calamine.

use calamine::{Data, Range, Reader};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Why a file could not be read as a table.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{0} is empty: it has no header row")]
    Empty(String),
    #[error("unknown text encoding {0:?}")]
    UnknownEncoding(String),
    #[error("CSV row {row}: {message}")]
    Csv { row: u64, message: String },
    #[error("cannot read the workbook {path}: {message}")]
    Workbook { path: String, message: String },
    #[error("the workbook has no sheet named {0:?}")]
    NoSuchSheet(String),
}

impl From<ReadError> for crate::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io { source, .. } => crate::Error::Io(source),
            bad @ (ReadError::UnknownEncoding(_) | ReadError::NoSuchSheet(_)) => {
                crate::Error::InvalidArgument(bad.to_string())
            }
            other => crate::Error::UnreadableFile(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    /// Excel 2007+ (.xlsx, .xlsm), Excel 97 (.xls) or OpenDocument (.ods).
    Workbook,
}

/// What was found out about a file before its rows were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SourceInfo {
    pub format: FileFormat,
    /// The text encoding of a CSV file (`UTF-8`, `GB18030` …).
    pub encoding: Option<String>,
    /// Whether the CSV file starts with a byte-order mark.
    pub bom: bool,
    pub delimiter: Option<char>,
    /// The sheet read from a workbook.
    pub sheet: Option<String>,
}

/// How to read a file; everything is detected when left empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ReadOptions {
    /// An encoding label (`gbk`, `utf-8`, `big5` …) to use instead of detecting one.
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub delimiter: Option<char>,
    /// A workbook's sheet; the first sheet when empty.
    #[serde(default)]
    pub sheet: Option<String>,
}

/// One cell, borrowed from the reader's current row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    DateTime(NaiveDateTime),
    Bool(bool),
}

/// A text cell without what people and platforms add to keep a spreadsheet from reading it as
/// a number or a date: the surrounding spaces and tabs (`\t2024…`), the formula `="…"`, a
/// leading apostrophe (`'13811112222`). Every import kind reads its cells through this.
pub fn unprotect(text: &str) -> &str {
    let mut t = text.trim();
    if let Some(inner) = t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        t = inner.trim();
    }
    if let Some(rest) = t.strip_prefix('\'') {
        t = rest.trim();
    }
    t
}

impl Cell<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => unprotect(t).is_empty(),
            _ => false,
        }
    }

    /// The cell as text, as a spreadsheet would show it.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match *self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(t) => Cow::Borrowed(unprotect(t)),
            Cell::Int(i) => Cow::Owned(i.to_string()),
            Cell::Float(f) => Cow::Owned(format!("{f}")),
            Cell::DateTime(at) if at.time() == chrono::NaiveTime::MIN => Cow::Owned(at.date().to_string()),
            Cell::DateTime(at) => Cow::Owned(at.format("%Y-%m-%d %H:%M:%S").to_string()),
            Cell::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        }
    }
}

fn data_cell(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(at) if dt.is_datetime() => Cell::DateTime(at),
            _ => Cell::Float(dt.as_f64()),
        },
    }
}

/// The current row: its number as the spreadsheet shows it (the header is row 1) and cells.
pub struct Row<'a> {
    pub number: u64,
    cells: RowCells<'a>,
}

enum RowCells<'a> {
    Csv(&'a csv::StringRecord),
    Sheet { range: &'a Range<Data>, row: usize },
}

impl<'a> Row<'a> {
    pub fn cell(&self, column: usize) -> Cell<'a> {
        match self.cells {
            RowCells::Csv(record) => record.get(column).map_or(Cell::Empty, Cell::Text),
            RowCells::Sheet { range, row } => range.get((row, column)).map_or(Cell::Empty, data_cell),
        }
    }

    pub fn len(&self) -> usize {
        match self.cells {
            RowCells::Csv(record) => record.len(),
            RowCells::Sheet { range, .. } => range.width(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cell empty: a spacer row, neither imported nor reported.
    pub fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.cell(i).is_empty())
    }
}

/// Counts the bytes read from the file, under the decoder, for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

type CsvInput = encoding_rs_io::DecodeReaderBytes<Counting<File>, Vec<u8>>;

enum Body {
    Csv { reader: Box<csv::Reader<CsvInput>>, record: csv::StringRecord, records: u64 },
    Sheet { range: Range<Data>, next: usize, first_row: u64 },
}

/// An open file: the header row, then rows one at a time.
pub struct Table {
    info: SourceInfo,
    headers: Vec<String>,
    body: Body,
    bytes_read: Arc<AtomicU64>,
    bytes_total: u64,
}

const SAMPLE_BYTES: usize = 1 << 20;
const CSV_BUFFER: usize = 1 << 16;

fn io_error(path: &Path) -> impl Fn(io::Error) -> ReadError + '_ {
    move |source| ReadError::Io { path: path.display().to_string(), source }
}

fn is_workbook(path: &Path, head: &[u8]) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!(ext.as_deref(), Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods"))
        // Zip (xlsx, ods) or OLE2 (xls) magic, whatever the file is called.
        || head.starts_with(b"PK\x03\x04")
        || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

impl Table {
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Table, ReadError> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let bytes_total = file.metadata().map_err(io_error(path))?.len();
        let mut sample = Vec::with_capacity(SAMPLE_BYTES.min(bytes_total as usize));
        (&mut file).take(SAMPLE_BYTES as u64).read_to_end(&mut sample).map_err(io_error(path))?;
        if is_workbook(path, &sample) {
            drop(file);
            return Self::open_workbook(path, options, bytes_total);
        }
        let complete = sample.len() as u64 == bytes_total;
        let (encoding, bom) = match options.encoding.as_deref() {
            Some(label) => (
                encoding_rs::Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| ReadError::UnknownEncoding(label.to_owned()))?,
                encoding_rs::Encoding::for_bom(&sample).is_some(),
            ),
            None => detect_encoding(&sample, complete),
        };
        let text = decode_sample(encoding, &sample);
        let delimiter = options.delimiter.map_or_else(|| detect_delimiter(&text), |d| d as u8);
        drop(file);

        let file = File::open(path).map_err(io_error(path))?;
        let bytes_read = Arc::new(AtomicU64::new(0));
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .utf8_passthru(true)
            .strip_bom(true)
            .build(Counting { inner: file, count: bytes_read.clone() });
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(CSV_BUFFER)
            .from_reader(decoder);
        let mut record = csv::StringRecord::new();
        let mut records = 0_u64;
        let headers = loop {
            let more = reader.read_record(&mut record).map_err(|e| csv_error(e, records + 1))?;
            if !more {
                return Err(ReadError::Empty(path.display().to_string()));
            }
            records += 1;
            if record.iter().any(|f| !f.trim().is_empty()) {
                break record.iter().map(|h| h.trim().to_owned()).collect();
            }
        };
        Ok(Table {
            info: SourceInfo {
                format: FileFormat::Csv,
                encoding: Some(encoding.name().to_owned()),
                bom,
                delimiter: Some(char::from(delimiter)),
                sheet: None,
            },
            headers,
            body: Body::Csv { reader: Box::new(reader), record, records },
            bytes_read,
            bytes_total,
        })
    }

    fn open_workbook(path: &Path, options: &ReadOptions, bytes_total: u64) -> Result<Table, ReadError> {
        let failed =
            |e: calamine::Error| ReadError::Workbook { path: path.display().to_string(), message: e.to_string() };
        // calamine parses what a hostile file says with arithmetic that may overflow (a panic
        // in a debug build): a workbook it cannot read without one is an unreadable workbook.
        let damaged = || ReadError::Workbook { path: path.display().to_string(), message: "damaged workbook".into() };
        let mut workbook =
            std::panic::catch_unwind(|| calamine::open_workbook_auto(path)).map_err(|_| damaged())?.map_err(failed)?;
        let names = workbook.sheet_names();
        let sheet = match options.sheet.as_deref() {
            Some(wanted) => names
                .iter()
                .find(|n| n.as_str() == wanted)
                .cloned()
                .ok_or_else(|| ReadError::NoSuchSheet(wanted.to_owned()))?,
            None => names.first().cloned().ok_or_else(|| ReadError::Empty(path.display().to_string()))?,
        };
        let range = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let calamine::Sheets::Xlsx(xlsx) = &mut workbook {
                let area = xlsx_area(xlsx, &sheet).map_err(|e| failed(e.into()))?;
                if area > SHEET_AREA_MAX {
                    return Err(ReadError::Workbook {
                        path: path.display().to_string(),
                        message: format!("the sheet spans {area} cells, more than {SHEET_AREA_MAX}"),
                    });
                }
            }
            workbook.worksheet_range(&sheet).map_err(failed)
        }))
        .map_err(|_| damaged())??;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut next = 0;
        let headers = loop {
            if next >= range.height() {
                return Err(ReadError::Empty(path.display().to_string()));
            }
            let row = Row { number: 0, cells: RowCells::Sheet { range: &range, row: next } };
            next += 1;
            if !row.is_blank() {
                break (0..row.len()).map(|i| row.cell(i).text().trim().to_owned()).collect::<Vec<_>>();
            }
        };
        Ok(Table {
            info: SourceInfo {
                format: FileFormat::Workbook,
                encoding: None,
                bom: false,
                delimiter: None,
                sheet: Some(sheet),
            },
            headers,
            body: Body::Sheet { range, next, first_row },
            bytes_read: Arc::new(AtomicU64::new(0)),
            bytes_total,
        })
    }

    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn bytes_total(&self) -> u64 {
        self.bytes_total
    }

    /// Bytes of the file consumed so far (for a workbook, the share of rows read).
    pub fn bytes_done(&self) -> u64 {
        match &self.body {
            Body::Csv { .. } => self.bytes_read.load(Ordering::Relaxed).min(self.bytes_total),
            Body::Sheet { range, next, .. } => {
                let height = range.height().max(1) as u64;
                self.bytes_total * (*next as u64).min(height) / height
            }
        }
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ReadError> {
        match &mut self.body {
            Body::Csv { reader, record, records } => {
                let more = reader.read_record(record).map_err(|e| csv_error(e, *records + 1))?;
                if !more {
                    return Ok(None);
                }
                *records += 1;
                Ok(Some(Row { number: *records, cells: RowCells::Csv(record) }))
            }
            Body::Sheet { range, next, first_row } => {
                let index = *next;
                if index >= range.height() {
                    return Ok(None);
                }
                *next += 1;
                Ok(Some(Row { number: *first_row + index as u64 + 1, cells: RowCells::Sheet { range, row: index } }))
            }
        }
    }
}

/// Cells a sheet may span, from its first cell to its last: calamine allocates the whole
/// rectangle, so a file of a few bytes naming cells A1 and XFD1048576 would ask for half a
/// terabyte and end the process. A million rows of 32 columns still fit.
const SHEET_AREA_MAX: u64 = 1 << 25;

/// The cells of the rectangle from an xlsx sheet's first cell to its last, read as a stream.
fn xlsx_area<RS: io::Read + io::Seek>(xlsx: &mut calamine::Xlsx<RS>, sheet: &str) -> Result<u64, calamine::XlsxError> {
    let mut cells = xlsx.worksheet_cells_reader(sheet)?;
    let mut bounds: Option<((u32, u32), (u32, u32))> = None;
    while let Some(cell) = cells.next_cell()? {
        let (row, column) = cell.get_position();
        bounds = Some(match bounds {
            None => ((row, column), (row, column)),
            Some((first, last)) => ((first.0.min(row), first.1.min(column)), (last.0.max(row), last.1.max(column))),
        });
    }
    Ok(bounds.map_or(0, |(first, last)| (u64::from(last.0 - first.0) + 1) * (u64::from(last.1 - first.1) + 1)))
}

fn csv_error(e: csv::Error, row: u64) -> ReadError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => ReadError::Io { path: String::new(), source },
        csv::ErrorKind::Utf8 { .. } => {
            ReadError::Csv { row, message: "the text is not valid in the file's encoding; pass the encoding".into() }
        }
        other => ReadError::Csv { row, message: format!("{other:?}") },
    }
}

/// The encoding of a CSV file and whether it has a BOM: a BOM decides; text that is valid
/// UTF-8 is UTF-8; otherwise chardetng guesses from the bytes, and GBK (which it reports
/// for Simplified Chinese) is read as GB18030, its superset, so no character is lost.
pub fn detect_encoding(sample: &[u8], complete: bool) -> (&'static encoding_rs::Encoding, bool) {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(sample) {
        return (encoding, true);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return (encoding_rs::UTF_8, false),
        // Cut off in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => return (encoding_rs::UTF_8, false),
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, complete);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    if guess == encoding_rs::GBK {
        (encoding_rs::GB18030, false)
    } else {
        (guess, false)
    }
}

fn decode_sample(encoding: &'static encoding_rs::Encoding, sample: &[u8]) -> String {
    let (text, _) = encoding.decode_with_bom_removal(sample);
    text.into_owned()
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
const SAMPLE_RECORDS: usize = 50;

/// The delimiter that splits the first records most consistently. Each candidate is counted
/// per record outside quoted fields (a quoted field may hold delimiters and line breaks);
/// the winner is the one whose count is the same, and not zero, on the most records, then
/// the one with more fields. A file with one column reads as comma-separated.
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut current = [0_usize; 4];
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut record_has_text = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                if in_quotes && chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    in_quotes = !in_quotes;
                }
                record_has_text = true;
            }
            '\r' | '\n' if !in_quotes => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if record_has_text {
                    counts.push(current);
                }
                current = [0; 4];
                record_has_text = false;
                if counts.len() >= SAMPLE_RECORDS {
                    break;
                }
            }
            c if !in_quotes => {
                if let Some(i) = DELIMITERS.iter().position(|d| char::from(*d) == c) {
                    current[i] += 1;
                }
                record_has_text = true;
            }
            _ => record_has_text = true,
        }
    }
    // The sample may end inside the last record; count it only if it is all there.
    if record_has_text && counts.is_empty() {
        counts.push(current);
    }
    let mut best = (0_usize, 0_usize, b',');
    for (i, delimiter) in DELIMITERS.iter().enumerate() {
        let header = counts.first().map_or(0, |c| c[i]);
        if header == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|c| c[i] == header).count();
        if (agreeing, header) > (best.0, best.1) {
            best = (agreeing, header, *delimiter);
        }
    }
    best.2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_text_protection_is_undone() {
        for (raw, read) in [
            ("'13811112222", "13811112222"),
            ("\t2024-03-01 10:15:00", "2024-03-01 10:15:00"),
            ("=\"3698521470123\"", "3698521470123"),
            ("=\"'13811112222\"", "13811112222"),
            (" ' 张伟 ", "张伟"),
            ("'", ""),
            ("=\"\"", ""),
            ("O'Brien", "O'Brien"),
            ("=SUM(A1)", "=SUM(A1)"),
        ] {
            assert_eq!(Cell::Text(raw).text(), read, "{raw:?}");
            assert_eq!(Cell::Text(raw).is_empty(), read.is_empty(), "{raw:?}");
        }
    }

    #[test]
    fn the_delimiter_is_the_one_that_splits_every_line_alike() {
        assert_eq!(detect_delimiter("a,b,c\n1,2,3\n4,5,6\n"), b',');
        assert_eq!(detect_delimiter("a;b;c\r\n1,5;2;3\r\n4;5,5;6\r\n"), b';');
        assert_eq!(detect_delimiter("名称\t金额\n张三\t1,234.50\n"), b'\t');
        assert_eq!(detect_delimiter("a|b\n1|2\n"), b'|');
        assert_eq!(detect_delimiter("only\none\n"), b',');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        let text = "name;note\n\"Zhang, Wei\";\"a,b,c\"\n\"Li\nNa\";\"x,y\"\n";
        assert_eq!(detect_delimiter(text), b';');
    }

    #[test]
    fn encodings_are_told_apart_by_bom_validity_and_guess() {
        assert_eq!(detect_encoding("客户名称,金额\n".as_bytes(), true), (encoding_rs::UTF_8, false));
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFname\n", true), (encoding_rs::UTF_8, true));
        let (gbk, _, _) = encoding_rs::GBK.encode(
            "客户名称,手机,下单日期,金额\n张伟,13800138000,2024-01-05,￥1234.50\n王芳,13900139000,2024-01-06,88元\n",
        );
        assert_eq!(detect_encoding(&gbk, true).0, encoding_rs::GB18030);
        // A UTF-8 sample cut in the middle of a character is still UTF-8.
        let cut = &"张伟".as_bytes()[..4];
        assert_eq!(detect_encoding(cut, false).0, encoding_rs::UTF_8);
    }
}

//! A transaction file for fitting the CLV models without a database: a header, then customer
//! id, date and amount per row. It is read as an import reads a file ([`crate::import::source`]:
//! CSV in any common encoding and delimiter, or a workbook), its columns found by the names
//! an order import knows (客户编号 / customer_id, 下单日期 / date, 金额 / amount), else the
//! first three. A CSV file whose columns are separated by runs of spaces (the published
//! CDNOW sample) is read too.

use crate::clv::Transaction;
use crate::error::{Error, Result};
use crate::import::source::{ReadOptions, Table};
use crate::import::values::{parse_amount, parse_date, DateText};
use crate::import::{auto_mapping, column_of, Field, ImportKind};
use crate::money;
use std::path::Path;

/// Digits kept of an amount: cents and fractions of them, as the published samples give.
const AMOUNT_DIGITS: u32 = 4;

/// Every transaction of the file, in file order.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the row of a missing cell, a value that is not a date or
/// an amount, or a negative amount; the errors of opening a table ([`Table::open`]).
pub fn read(path: &Path) -> Result<Vec<Transaction<String>>> {
    let mut table = Table::open(path, &ReadOptions::default())?;
    let first = table.headers().to_vec();
    // No delimiter found: one column whose header holds every name.
    let spaced = first.len() == 1 && first[0].split_whitespace().count() > 1;
    let headers: Vec<String> =
        if spaced { first[0].split_whitespace().map(str::to_owned).collect() } else { first.clone() };
    let mapping = auto_mapping(ImportKind::Orders, &headers);
    let column =
        |field: Field, fallback: usize| mapping.0.get(&field).and_then(|h| column_of(&headers, h)).unwrap_or(fallback);
    let (id_col, date_col, amount_col) =
        (column(Field::ExternalId, 0), column(Field::Date, 1), column(Field::Amount, 2));
    let mut transactions = Vec::new();
    while let Some(row) = table.next_row()? {
        if row.is_blank() {
            continue;
        }
        let cells: Vec<String> = if spaced {
            row.cell(0).text().split_whitespace().map(str::to_owned).collect()
        } else {
            (0..row.len()).map(|i| row.cell(i).text().into_owned()).collect()
        };
        let number = row.number;
        let bad = |what: String| Error::InvalidArgument(format!("row {number}: {what}"));
        let cell = |i: usize, what: &str| {
            cells.get(i).map(|c| c.trim()).filter(|c| !c.is_empty()).ok_or_else(|| bad(format!("no {what}")))
        };
        let customer_id = cell(id_col, "customer id")?.to_owned();
        let date_text = cell(date_col, "date")?;
        let date = match parse_date(date_text) {
            Ok(DateText::Known(at)) => at.date(),
            _ => return Err(bad(format!("{date_text:?} is not a date"))),
        };
        let amount_text = cell(amount_col, "amount")?;
        let amount = parse_amount(amount_text, |_| AMOUNT_DIGITS)
            .map_err(|_| bad(format!("{amount_text:?} is not an amount")))?;
        if amount.minor < 0 {
            return Err(bad("the amount is negative".into()));
        }
        transactions.push(Transaction { customer_id, date, amount: money::to_major(amount.minor, AMOUNT_DIGITS) });
    }
    Ok(transactions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(name: &str, bytes: &[u8]) -> Result<Vec<Transaction<String>>> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        read(&path)
    }

    fn day(text: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn columns_are_found_by_name_in_any_delimiter_and_encoding() {
        let (gbk, _, _) = encoding_rs::GBK.encode("金额;客户编号;下单日期\n12.50;甲01;2024-01-05\n3;乙02;2024/2/1\n");
        let read = read_text("gbk.csv", &gbk).expect("read");
        assert_eq!(read.len(), 2);
        assert_eq!((read[0].customer_id.as_str(), read[0].date, read[0].amount), ("甲01", day("2024-01-05"), 12.5));
        assert_eq!((read[1].customer_id.as_str(), read[1].date, read[1].amount), ("乙02", day("2024-02-01"), 3.0));
    }

    #[test]
    fn runs_of_spaces_separate_and_unknown_headers_mean_the_first_three_columns() {
        let read = read_text("cdnow.txt", b"id   when      value\n00001 19970101  11.77\n\n00002 19970112 0.1234\n")
            .expect("read");
        assert_eq!(read.len(), 2);
        assert_eq!((read[0].customer_id.as_str(), read[0].date, read[0].amount), ("00001", day("1997-01-01"), 11.77));
        assert_eq!(read[1].amount, 0.1234);
    }

    #[test]
    fn a_bad_row_is_named_by_its_number() {
        let err = read_text("bad.csv", b"customer_id,date,amount\nA,2024-01-01,10\nB,2024-13-45,5\n").expect_err("bad");
        assert!(matches!(&err, Error::InvalidArgument(m) if m.contains("row 3") && m.contains("2024-13-45")), "{err}");
        let err = read_text("neg.csv", b"customer_id,date,amount\nA,2024-01-01,-10\n").expect_err("negative");
        assert!(err.to_string().contains("row 2: the amount is negative"), "{err}");
        let err = read_text("short.csv", b"customer_id,date,amount\nA,2024-01-01\n").expect_err("short");
        assert!(err.to_string().contains("row 2: no amount"), "{err}");
    }
}

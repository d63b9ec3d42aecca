//! Segment charts: the figures behind each chart as plain data computed from a stored
//! evaluation and the activity tables (`data`, tested apart from drawing), and their drawing
//! with plotters to PNG and SVG in Chinese or English (`draw`), with the shared palette and the
//! per-language number formats (`style`); a run's charts written to a folder with
//! `summary.json` (`folder`); the manager's report folder with the workbook, member lists and
//! PDF (`report`).

mod canvas;
pub mod data;
pub mod draw;
pub mod folder;
mod font;
pub mod page;
pub mod report;
pub mod style;
mod typeset;

pub use data::{
    activity_charts, migration, migration_of, run_charts, run_charts_of, ActivityCharts, ChartMembers, ClvBin,
    ClvPoint, Cohort, Group, Matrix, Migration, MonthScore, Pareto, ParetoCut, ParetoPoint, ResourceRow, RfmCell,
    RunCharts, TierFigures, PROSPECT,
};
pub use draw::{render, render_all, Chart, ChartSet, Format, RenderedChart};
pub use folder::{write_folder, FolderRequest, Summary, Written};
pub use report::{write_report, ReportWritten};
pub use style::{Lang, PALETTE};

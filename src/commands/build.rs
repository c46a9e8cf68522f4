//! `shinko build`: validate, lay out and render every item, the book and the 総括表, then
//! write the outputs.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::{load_checked, print_diagnostics};
use crate::era;
use crate::layout;
use crate::model::Item;
use crate::output::{self, Written};
use crate::render;
use crate::summary;

/// The output formats `build` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    /// `{項目}.pdf` per item.
    Pdf,
    /// `{項目}.xlsx` per item.
    Xlsx,
    /// `book.pdf`: the whole plan in one document.
    Book,
    /// `summary.xlsx` and `summary.csv`: the 総括表 and the plan's data.
    Summary,
}

impl Format {
    /// Every format, the default.
    pub const ALL: [Format; 4] = [Format::Pdf, Format::Xlsx, Format::Book, Format::Summary];

    fn extension(self) -> &'static str {
        match self {
            Format::Pdf | Format::Book => "pdf",
            Format::Xlsx | Format::Summary => "xlsx",
        }
    }

    fn per_item(self) -> bool {
        matches!(self, Format::Pdf | Format::Xlsx)
    }
}

/// The file names of the whole-plan outputs.
pub const BOOK_FILE: &str = "book.pdf";
pub const SUMMARY_XLSX: &str = "summary.xlsx";
pub const SUMMARY_CSV: &str = "summary.csv";

/// Counts of staged files.
#[derive(Default, Clone, Copy)]
struct Tally {
    written: usize,
    unchanged: usize,
}

impl Tally {
    fn add(&mut self, w: Written) {
        match w {
            Written::Unchanged => self.unchanged += 1,
            Written::New | Written::Updated => self.written += 1,
        }
    }

    fn plus(self, o: Tally) -> Tally {
        Tally { written: self.written + o.written, unchanged: self.unchanged + o.unchanged }
    }
}

/// Returns the process exit code.
pub fn run(sheets: &Path, out: &Path, formats: &[Format], year: Option<i32>) -> Result<i32, String> {
    let started = Instant::now();
    let (mut set, diags) = load_checked(sheets)?;
    if !diags.is_empty() {
        print_diagnostics(&set, &diags);
        eprintln!("エラーがあるため、何も書き出していません。");
        return Ok(1);
    }
    let plan = set.plan.as_ref().ok_or("plan.yaml を読めませんでした")?.clone();
    let plan = &plan;
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    let has = |f: Format| formats.contains(&f);

    let items: Vec<&Item> = set.items.iter().map(|f| &f.item).collect();
    let year = match year {
        Some(y) if y < plan.first_year || y > plan.last_year => {
            return Err(format!(
                "--year {y} は計画期間 ({}〜{}) の外です。計画期間の年度を西暦で指定してください。",
                era::long_label(plan.first_year),
                era::long_label(plan.last_year)
            ));
        }
        Some(y) => y,
        None => summary::default_year(plan, &items),
    };
    drop(items);

    let whole = usize::from(has(Format::Book)) + usize::from(has(Format::Summary));
    let bar = super::progress_bar(set.items.len() + whole, "件");

    std::fs::create_dir_all(out).map_err(|e| format!("出力フォルダ {} を作れません: {e}", out.display()))?;

    // The YAML trees were needed to check the input; rendering reads the model. Freeing them
    // now lets the renderers reuse their memory (for 1,000 items, a third of the peak).
    set.items.par_iter_mut().for_each(|f| drop(std::mem::take(&mut f.root)));
    let set = set;
    let items: Vec<&Item> = set.items.iter().map(|f| &f.item).collect();

    // Lay out every item first (in parallel, a small part of the work): the book needs all of
    // them to number its pages. Then render, biggest items first so that no core is left
    // waiting on one big item at the end, with the book and the 総括表 as tasks of the same
    // rayon scope: the book is one document on one thread while the other threads render the
    // items. Each output is staged (written to a temporary file) as soon as it is made.
    // The input was validated above, so a failure here is an I/O or internal error; the
    // batch is then dropped uncommitted and no output changes.
    let need_layout = has(Format::Pdf) || has(Format::Xlsx) || has(Format::Book);
    let sheets: Vec<Option<layout::Sheet>> = set
        .items
        .par_iter()
        .with_max_len(1)
        .map(|f| need_layout.then(|| layout::lay_out(plan, &f.item)))
        .collect();
    let batch = output::Batch::new();
    let mut order: Vec<usize> = (0..set.items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(set.files[set.items[i].file].text.len()));
    let summary = summary::summarize(plan, &items, year);

    let whole_plan = || -> Result<(usize, Tally), String> {
        let mut tally = Tally::default();
        let mut pages = 0;
        if has(Format::Book) {
            let with_pillar: Vec<(i64, &layout::Sheet)> = set
                .items
                .iter()
                .zip(&sheets)
                .filter_map(|(f, s)| s.as_ref().map(|s| (f.item.pillar.value, s)))
                .collect();
            let book = layout::book::lay_out(plan, &summary, &with_pillar);
            pages += book.pages.len();
            let bytes = render::book::render(&book)?;
            tally.add(batch.stage(&out.join(BOOK_FILE), &bytes)?);
            bar.inc(1);
        }
        if has(Format::Summary) {
            let bytes = render::summary::xlsx(plan, &items, &summary)?;
            tally.add(batch.stage(&out.join(SUMMARY_XLSX), &bytes)?);
            let bytes = render::summary::csv(plan, &items);
            tally.add(batch.stage(&out.join(SUMMARY_CSV), &bytes)?);
            bar.inc(1);
        }
        Ok((pages, tally))
    };
    let per_item = || -> Vec<Result<(usize, Tally), String>> {
        if !formats.iter().any(|f| f.per_item()) {
            return Vec::new();
        }
        order
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let f = &set.items[i];
                let sheet = sheets[i].as_ref().ok_or("レイアウトがありません")?;
                let stem = output::file_stem(&f.item.number.value);
                let mut tally = Tally::default();
                for fmt in formats.iter().filter(|f| f.per_item()) {
                    let bytes = match fmt {
                        Format::Pdf => render::pdf::render(sheet)?,
                        Format::Xlsx => render::xlsx::render(plan, &f.item, sheet)?,
                        Format::Book | Format::Summary => unreachable!("per-item formats only"),
                    };
                    tally.add(batch.stage(&out.join(format!("{stem}.{}", fmt.extension())), &bytes)?);
                }
                bar.inc(1);
                Ok((sheet.pages.len(), tally))
            })
            .collect()
    };
    let (whole_done, item_done) = rayon::join(whole_plan, per_item);
    bar.finish_and_clear();
    let (book_pages, mut tally) = whole_done?;
    let mut pages = 0;
    for r in item_done {
        let (p, t) = r?;
        pages += p;
        tally = tally.plus(t);
    }
    batch.commit()?;
    let book = if has(Format::Book) { format!("、冊子 {book_pages} ページ") } else { String::new() };
    eprintln!(
        "{} 項目、{} ページ{book} ({}): {} ファイルを書き出しました (変更なし {} ファイル) → {} ({:.2} 秒)",
        set.items.len(),
        pages,
        era::long_label(year),
        tally.written,
        tally.unchanged,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

//! `shinko build`: validate, lay out and render every item, the book, the 総括表 and the HTML
//! pages, then write the outputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::{Outcome, Report, load_checked};
use crate::diag::Diagnostic;
use crate::era;
use crate::manifest;
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
    /// Accessible HTML pages in `{out}/html/`: one per item, `index.html`, `style.css`.
    Html,
}

impl Format {
    /// Every format, the default.
    pub const ALL: [Format; 5] = [Format::Pdf, Format::Xlsx, Format::Book, Format::Summary, Format::Html];

    fn extension(self) -> &'static str {
        match self {
            Format::Pdf | Format::Book => "pdf",
            Format::Xlsx | Format::Summary => "xlsx",
            Format::Html => "html",
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

/// The files of an item that its HTML page links to, in this order: extension and the name
/// shown (`PDF 形式`).
const ITEM_FILES: [(&str, &str); 3] = [("pdf", "PDF"), ("xlsx", "XLSX"), ("csv", "CSV")];
/// The plan-wide files the index links to when they exist.
const PLAN_FILES: [(&str, &str); 3] = [(BOOK_FILE, "PDF"), (SUMMARY_XLSX, "XLSX"), (SUMMARY_CSV, "CSV")];

/// The size of a file in the output folder, if it is there.
fn size_on_disk(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// Every file a build makes in the output folder for these items (by their file stems) and
/// the plan, in any format: relative paths as `crate::manifest` lists them.
fn expected_outputs(stems: &[String]) -> BTreeSet<String> {
    let mut all: BTreeSet<String> = [BOOK_FILE, SUMMARY_XLSX, SUMMARY_CSV, "html/index.html", "html/style.css"].map(String::from).into();
    for stem in stems {
        for fmt in Format::ALL.iter().filter(|f| f.per_item()) {
            all.insert(format!("{stem}.{}", fmt.extension()));
        }
        all.insert(format!("html/{stem}.html"));
    }
    all
}

/// One warning per item whose files are stale: without `--clean`, that they are still there
/// (and how to remove them); with it, those not removed because they were changed since.
fn stale_warnings(stale: &[manifest::Stale], clean: bool) -> Vec<Diagnostic> {
    let mut by_item: BTreeMap<&str, Vec<&manifest::Stale>> = BTreeMap::new();
    for s in stale.iter().filter(|s| !clean || !s.as_written) {
        by_item.entry(s.stem()).or_default().push(s);
    }
    by_item
        .into_iter()
        .map(|(stem, files)| {
            let names: Vec<String> = files.iter().map(|s| s.path.display().to_string()).collect();
            let d = if clean {
                Diagnostic::run(format!(
                    "sheets にない項目「{stem}」のファイルを消していません: {}",
                    names.join("、")
                ))
                .note("shinko が書き出した後に中身が変わっているため、消しませんでした。要らないファイルなら、確かめてから手で消してください。")
            } else {
                Diagnostic::run(format!(
                    "sheets にない項目「{stem}」のファイルが出力フォルダに残っています: {}",
                    names.join("、")
                ))
                .note("項目を取り下げたのなら、公開しないよう shinko build --clean で消してください (shinko が書き出したファイルだけを消します)。")
            };
            d.warning()
        })
        .collect()
}

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

/// A failed run leaves no output, not even a folder it made. `clean`: remove the stale
/// outputs of items no longer in the sheets (`--clean`, see `crate::manifest`).
pub fn run(sheets: &Path, out: &Path, formats: &[Format], year: Option<i32>, clean: bool) -> Outcome {
    let result = build(sheets, out, formats, year, clean);
    if !matches!(&result, Ok(report) if !report.has_errors()) {
        output::remove_empty_dirs();
    }
    result
}

fn build(sheets: &Path, out: &Path, formats: &[Format], year: Option<i32>, clean: bool) -> Outcome {
    let started = Instant::now();
    let (mut set, mut diags) = load_checked(sheets)?;
    if diags.has_errors() {
        return Ok(Report::of(set, diags, "エラーがあるため、何も書き出していません。"));
    }
    let Some(plan) = set.plan.clone() else {
        return Err("plan.yaml を読めませんでした".into());
    };
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
            )
            .into());
        }
        Some(y) => y,
        None => summary::default_year(plan, &items),
    };
    drop(items);

    let whole = usize::from(has(Format::Book)) + usize::from(has(Format::Summary));
    let bar = super::progress_bar(set.items.len() + whole, "件");

    output::create_dir(out)?;
    if has(Format::Html) {
        output::create_dir(&out.join("html"))?;
    }
    // One writer at a time in an output folder.
    output::lock_folder(out)?;

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
    let need_layout = has(Format::Pdf) || has(Format::Xlsx) || has(Format::Book) || has(Format::Html);
    let sheets: Vec<Option<layout::Sheet>> = set
        .items
        .par_iter()
        .with_max_len(1)
        .map(|f| need_layout.then(|| layout::lay_out(plan, &f.item)))
        .collect();
    let batch = output::Batch::new();
    // What this build writes (or leaves unchanged) in `out`, for the list of its outputs.
    let record = manifest::Record::default();
    let stage = |path: &Path, bytes: &[u8]| -> Result<Written, String> {
        let written = batch.stage(path, bytes)?;
        record.add(out, path, bytes);
        Ok(written)
    };
    let mut order: Vec<usize> = (0..set.items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(set.files[set.items[i].file].text.len()));
    let summary = summary::summarize(plan, &items, year);
    let html = has(Format::Html);
    let html_dir = out.join("html");

    // The book and the 総括表: (pages, files, sizes of the plan-wide files made now).
    type Whole = (usize, Tally, Vec<(&'static str, u64)>);
    let whole_plan = || -> Result<Whole, String> {
        let mut tally = Tally::default();
        let mut pages = 0;
        let mut sizes = Vec::new();
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
            tally.add(stage(&out.join(BOOK_FILE), &bytes)?);
            sizes.push((BOOK_FILE, bytes.len() as u64));
            bar.inc(1);
        }
        if has(Format::Summary) {
            let bytes = render::summary::xlsx(plan, &items, &summary)?;
            tally.add(stage(&out.join(SUMMARY_XLSX), &bytes)?);
            sizes.push((SUMMARY_XLSX, bytes.len() as u64));
            let bytes = render::summary::csv(plan, &items);
            tally.add(stage(&out.join(SUMMARY_CSV), &bytes)?);
            sizes.push((SUMMARY_CSV, bytes.len() as u64));
            bar.inc(1);
        }
        // The 意見一覧表 of the committee, when any member's opinion exists for the year.
        if has(Format::Summary)
            && let Some(rows) = crate::committee::opinion_rows(plan, &items, year)
        {
            let sheet = layout::opinions::lay_out(plan, &rows, year);
            let bytes = render::pdf::render(&sheet)?;
            tally.add(batch.stage(&out.join(layout::opinions::file_name(year)), &bytes)?);
        }
        Ok((pages, tally, sizes))
    };
    // Each item: its files and its HTML page, which links to them.
    type Done = (usize, Tally, Vec<render::html::Download>);
    let per_item = || -> Vec<Result<Done, String>> {
        if !formats.iter().any(|f| f.per_item()) && !html {
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
                let mut sizes: Vec<(&str, u64)> = Vec::new();
                for fmt in formats.iter().filter(|f| f.per_item()) {
                    let bytes = match fmt {
                        Format::Pdf => render::pdf::render(sheet)?,
                        Format::Xlsx => render::xlsx::render(plan, &f.item, sheet)?,
                        Format::Book | Format::Summary | Format::Html => unreachable!("per-item formats only"),
                    };
                    tally.add(stage(&out.join(format!("{stem}.{}", fmt.extension())), &bytes)?);
                    sizes.push((fmt.extension(), bytes.len() as u64));
                }
                // The page links to the item's files: those made now, or already in the folder.
                let downloads: Vec<render::html::Download> = ITEM_FILES
                    .iter()
                    .filter_map(|(ext, kind)| {
                        let name = format!("{stem}.{ext}");
                        let bytes = sizes.iter().find(|(e, _)| e == ext).map(|(_, n)| *n).or_else(|| size_on_disk(&out.join(&name)))?;
                        Some(render::html::Download { kind, href: render::html::download_href(&name), bytes })
                    })
                    .collect();
                if html {
                    let page = render::html::item_page(plan, &f.item, sheet, &downloads);
                    tally.add(stage(&html_dir.join(format!("{stem}.html")), page.as_bytes())?);
                }
                bar.inc(1);
                Ok((sheet.pages.len(), tally, downloads))
            })
            .collect()
    };
    let (whole_done, item_done) = rayon::join(whole_plan, per_item);
    bar.finish_and_clear();
    let (book_pages, mut tally, plan_sizes) = whole_done?;
    let mut pages = 0;
    let mut entries = Vec::with_capacity(order.len());
    for (&i, r) in order.iter().zip(item_done) {
        let (p, t, downloads) = r?;
        pages += p;
        tally = tally.plus(t);
        let item = &set.items[i].item;
        entries.push(render::html::IndexEntry { item, stem: output::file_stem(&item.number.value), downloads });
    }
    if html {
        let plan_downloads: Vec<render::html::Download> = PLAN_FILES
            .iter()
            .filter_map(|(name, kind)| {
                let bytes = plan_sizes.iter().find(|(n, _)| n == name).map(|(_, b)| *b).or_else(|| size_on_disk(&out.join(name)))?;
                Some(render::html::Download { kind, href: render::html::download_href(name), bytes })
            })
            .collect();
        let section = render::html::summary_section(&summary);
        let index = render::html::index_page(plan, &entries, &plan_downloads, Some(&section));
        for (name, bytes) in [("index.html", index.as_bytes()), ("style.css", render::html::STYLE.as_bytes())] {
            tally.add(stage(&html_dir.join(name), bytes)?);
        }
    }
    // Outputs of items no longer in the sheets: warned about, or removed with `--clean`.
    let expected = expected_outputs(&set.items.iter().map(|f| output::file_stem(&f.item.number.value)).collect::<Vec<_>>());
    let listed = manifest::plan(out, record, &expected, clean);
    let mut removed = Vec::new();
    for s in listed.stale.iter().filter(|s| clean && s.as_written) {
        batch.stage_removal(&s.path)?;
        removed.push(s.path.display().to_string());
    }
    diags.list.extend(stale_warnings(&listed.stale, clean));
    batch.stage(&out.join(manifest::FILE), &listed.next.to_bytes())?;
    batch.commit()?;
    let book = if has(Format::Book) { format!("、冊子 {book_pages} ページ") } else { String::new() };
    let said = format!(
        "{} 項目、{} ページ{book} ({}): {} ファイルを書き出しました (変更なし {} ファイル) → {} ({:.2} 秒)",
        set.items.len(),
        pages,
        era::long_label(year),
        tally.written,
        tally.unchanged,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    drop(items);
    drop(entries);
    let mut report = Report::of(set, diags, "");
    report.summary = said;
    if !removed.is_empty() {
        report.summary.push_str(&format!("\nsheets にない項目の古いファイル {} 個を消しました: {}", removed.len(), removed.join("、")));
    }
    Ok(report)
}

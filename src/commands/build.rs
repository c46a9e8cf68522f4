//! `shinko build`: validate, lay out and render every item, then write the outputs.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::{Outcome, Report, load_checked};
use crate::layout;
use crate::output::{self, Written};
use crate::render;

/// The output formats `build` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Pdf,
    Xlsx,
    /// Accessible HTML pages in `{out}/html/`: one per item, `index.html`, `style.css`.
    Html,
}

/// The files of an item that its HTML page links to, in this order: extension and the name
/// shown (`PDF 形式`).
const ITEM_FILES: [(&str, &str); 3] = [("pdf", "PDF"), ("xlsx", "XLSX"), ("csv", "CSV")];
/// The plan-wide files the index links to when they exist.
const PLAN_FILES: [(&str, &str); 3] = [("book.pdf", "PDF"), ("summary.xlsx", "XLSX"), ("summary.csv", "CSV")];

/// The size of a file in the output folder, if it is there.
fn size_on_disk(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// A failed run leaves no output, not even a folder it made.
pub fn run(sheets: &Path, out: &Path, formats: &[Format]) -> Outcome {
    let result = build(sheets, out, formats);
    if !matches!(&result, Ok(report) if !report.has_errors()) {
        output::remove_empty_dirs();
    }
    result
}

fn build(sheets: &Path, out: &Path, formats: &[Format]) -> Outcome {
    let started = Instant::now();
    let (mut set, diags) = load_checked(sheets)?;
    if diags.has_errors() {
        return Ok(Report::of(set, diags, "エラーがあるため、何も書き出していません。"));
    }
    let Some(plan) = set.plan.as_ref() else {
        return Err("plan.yaml を読めませんでした".into());
    };
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();

    let bar = super::progress_bar(set.items.len(), "項目");

    output::create_dir(out)?;
    if formats.contains(&Format::Html) {
        output::create_dir(&out.join("html"))?;
    }
    // One writer at a time in an output folder.
    output::lock_folder(out)?;

    // The YAML trees were needed to check the input; rendering reads the model. Freeing them
    // now lets the renderers reuse their memory (for 1,000 items, a third of the peak).
    set.items.par_iter_mut().for_each(|f| drop(std::mem::take(&mut f.root)));

    // Lay out, render and stage in parallel. Each output is staged (written to a temporary
    // file) as soon as it is made, so memory stays flat however many items there are. The
    // biggest items go first, so that no core is left waiting on one big item at the end.
    // The input was validated above, so a failure here is an I/O or internal error; the
    // batch is then dropped uncommitted and no output changes.
    let batch = output::Batch::new();
    let mut order: Vec<usize> = (0..set.items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(set.files[set.items[i].file].text.len()));
    let html = formats.contains(&Format::Html);
    let html_dir = out.join("html");
    type Done = (usize, usize, usize, Vec<render::html::Download>);
    let done: Vec<Result<Done, String>> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            let f = &set.items[i];
            let sheet = layout::lay_out(plan, &f.item);
            let stem = output::file_stem(&f.item.number.value);
            let (mut written, mut unchanged) = (0, 0);
            let mut count = |w: Written| match w {
                Written::Unchanged => unchanged += 1,
                Written::New | Written::Updated => written += 1,
            };
            let mut sizes: Vec<(&str, u64)> = Vec::new();
            for fmt in &formats {
                let (ext, bytes) = match fmt {
                    Format::Pdf => ("pdf", render::pdf::render(&sheet)?),
                    Format::Xlsx => ("xlsx", render::xlsx::render(plan, &f.item, &sheet)?),
                    Format::Html => continue,
                };
                count(batch.stage(&out.join(format!("{stem}.{ext}")), &bytes)?);
                sizes.push((ext, bytes.len() as u64));
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
                let page = render::html::item_page(plan, &f.item, &sheet, &downloads);
                count(batch.stage(&html_dir.join(format!("{stem}.html")), page.as_bytes())?);
            }
            bar.inc(1);
            Ok((sheet.pages.len(), written, unchanged, downloads))
        })
        .collect();
    bar.finish_and_clear();
    let (mut pages, mut written, mut unchanged) = (0, 0, 0);
    let mut entries = Vec::with_capacity(order.len());
    for (&i, r) in order.iter().zip(done) {
        let (p, w, u, downloads) = r?;
        pages += p;
        written += w;
        unchanged += u;
        let item = &set.items[i].item;
        entries.push(render::html::IndexEntry { item, stem: output::file_stem(&item.number.value), downloads });
    }
    if html {
        let plan_downloads: Vec<render::html::Download> = PLAN_FILES
            .iter()
            .filter_map(|(name, kind)| {
                let bytes = size_on_disk(&out.join(name))?;
                Some(render::html::Download { kind, href: render::html::download_href(name), bytes })
            })
            .collect();
        // The 総括表 goes in the index's summary section once the summary module provides it.
        let index = render::html::index_page(plan, &entries, &plan_downloads, None);
        for (name, bytes) in [("index.html", index.as_bytes()), ("style.css", render::html::STYLE.as_bytes())] {
            match batch.stage(&html_dir.join(name), bytes)? {
                Written::Unchanged => unchanged += 1,
                Written::New | Written::Updated => written += 1,
            }
        }
    }
    batch.commit()?;
    let summary = format!(
        "{} 項目、{} ページ: {} ファイルを書き出しました (変更なし {} ファイル) → {} ({:.2} 秒)",
        set.items.len(),
        pages,
        written,
        unchanged,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    let mut report = Report::of(set, diags, "");
    report.summary = summary;
    Ok(report)
}

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
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

pub fn run(sheets: &Path, out: &Path, formats: &[Format]) -> Outcome {
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

    std::fs::create_dir_all(out).map_err(|e| {
        crate::diag::Diagnostic::file(out, format!("出力フォルダ {} を作れません: {}", out.display(), crate::diag::io_reason(&e)))
    })?;
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
    let done: Vec<Result<(usize, usize, usize), String>> = order
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            let f = &set.items[i];
            let sheet = layout::lay_out(plan, &f.item);
            let stem = output::file_stem(&f.item.number.value);
            let (mut written, mut unchanged) = (0, 0);
            for fmt in &formats {
                let bytes = match fmt {
                    Format::Pdf => render::pdf::render(&sheet)?,
                    Format::Xlsx => render::xlsx::render(plan, &f.item, &sheet)?,
                };
                match batch.stage(&out.join(format!("{stem}.{}", fmt.extension())), &bytes)? {
                    Written::Unchanged => unchanged += 1,
                    Written::New | Written::Updated => written += 1,
                }
            }
            bar.inc(1);
            Ok((sheet.pages.len(), written, unchanged))
        })
        .collect();
    bar.finish_and_clear();
    let (mut pages, mut written, mut unchanged) = (0, 0, 0);
    for r in done {
        let (p, w, u) = r?;
        pages += p;
        written += w;
        unchanged += u;
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

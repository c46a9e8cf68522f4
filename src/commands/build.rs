//! `shinko build`: validate, lay out and render every item, then write the outputs.

use std::path::Path;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::{load_checked, print_diagnostics};
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

/// Returns the process exit code.
pub fn run(sheets: &Path, out: &Path, formats: &[Format]) -> Result<i32, String> {
    let started = Instant::now();
    let (set, diags) = load_checked(sheets)?;
    if !diags.is_empty() {
        print_diagnostics(&set, &diags);
        eprintln!("エラーがあるため、何も書き出していません。");
        return Ok(1);
    }
    let plan = set.plan.as_ref().ok_or("plan.yaml を読めませんでした")?;
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();

    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::with_draw_target(Some(set.items.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} 項目 {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    // Lay out and render in parallel; results keep the items' order.
    let rendered: Vec<Result<(String, usize, Vec<(Format, Vec<u8>)>), String>> = set
        .items
        .par_iter()
        .map(|f| {
            let sheet = layout::lay_out(plan, &f.item);
            let mut files = Vec::new();
            for fmt in &formats {
                let bytes = match fmt {
                    Format::Pdf => render::pdf::render(&sheet)?,
                    Format::Xlsx => render::xlsx::render(plan, &f.item, &sheet)?,
                };
                files.push((*fmt, bytes));
            }
            bar.inc(1);
            Ok((output::file_stem(&f.item.number.value), sheet.pages.len(), files))
        })
        .collect();
    bar.finish_and_clear();
    let rendered: Vec<_> = rendered.into_iter().collect::<Result<_, _>>()?;

    std::fs::create_dir_all(out).map_err(|e| format!("出力フォルダ {} を作れません: {e}", out.display()))?;
    let (mut pages, mut written, mut unchanged) = (0, 0, 0);
    for (stem, n, files) in &rendered {
        pages += n;
        for (fmt, bytes) in files {
            let path = out.join(format!("{stem}.{}", fmt.extension()));
            match output::write_atomic(&path, bytes)? {
                Written::Unchanged => unchanged += 1,
                Written::New | Written::Updated => written += 1,
            }
        }
    }
    eprintln!(
        "{} 項目、{} ページ: {} ファイルを書き出しました (変更なし {} ファイル) → {} ({:.2} 秒)",
        rendered.len(),
        pages,
        written,
        unchanged,
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}

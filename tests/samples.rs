//! The bundled samples (`sheets/plan.yaml`, `sheets/3-2.yaml`) carry comments for the staff,
//! in Japanese; they hold exactly the input contract's data (`../shared/reference/sheets/`):
//! the same model once loaded (spans aside) and the same PDF and XLSX bytes.

use std::path::{Path, PathBuf};

use shinko::diag::Diagnostics;
use shinko::load::{self, SheetSet};
use shinko::{layout, render};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_ok(dir: &Path) -> SheetSet {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(dir, &mut diags).unwrap();
    shinko::validate::validate(&set, &mut diags);
    assert!(diags.is_empty(), "{}: {:?}", dir.display(), diags.list);
    set
}

/// A value's debug form without its source places (`SrcSpan { … }`), which move with the
/// comments.
fn without_spans(debug: String) -> String {
    let mut out = String::new();
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("SrcSpan {") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').expect("a SrcSpan ends");
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_samples_load_to_the_reference_model_and_render_the_same_bytes() {
    let ours = load_ok(&root().join("sheets"));
    let reference = load_ok(&root().join("../shared/reference/sheets"));
    assert_eq!(without_spans(format!("{:?}", ours.plan)), without_spans(format!("{:?}", reference.plan)));
    let items = |s: &SheetSet| s.items.iter().map(|f| without_spans(format!("{:?}", f.item))).collect::<Vec<_>>();
    assert_eq!(items(&ours), items(&reference));
    assert!(!ours.items.is_empty());
    for (a, b) in [(&ours, &reference)] {
        let (pa, pb) = (a.plan.as_ref().unwrap(), b.plan.as_ref().unwrap());
        for (fa, fb) in a.items.iter().zip(&b.items) {
            let (sa, sb) = (layout::lay_out(pa, &fa.item), layout::lay_out(pb, &fb.item));
            assert!(render::pdf::render(&sa).unwrap() == render::pdf::render(&sb).unwrap(), "PDF of {}", fa.item.number.value);
            assert!(
                render::xlsx::render(pa, &fa.item, &sa).unwrap() == render::xlsx::render(pb, &fb.item, &sb).unwrap(),
                "XLSX of {}",
                fa.item.number.value
            );
        }
    }
}

#[test]
fn the_samples_comments_are_japanese_notes_for_the_staff() {
    for name in ["plan.yaml", "3-2.yaml"] {
        let text = std::fs::read_to_string(root().join("sheets").join(name)).unwrap();
        let comments: Vec<&str> = text.lines().filter_map(|l| l.trim_start().strip_prefix('#')).map(str::trim).filter(|c| !c.is_empty()).collect();
        assert!(comments.len() >= 5, "{name}: too few comments");
        for c in &comments {
            // Japanese sentences; Latin letters only in names such as plan.yaml, shinko, &mid-years.
            assert!(c.chars().any(|ch| ch > '\u{3000}'), "{name}: a comment without Japanese: {c}");
            let english = c.split(|ch: char| !ch.is_ascii_alphabetic()).filter(|w| w.len() >= 3).filter(|w| !["yaml", "plan", "shinko", "check", "mid", "years"].contains(w));
            assert_eq!(english.collect::<Vec<_>>(), Vec::<&str>::new(), "{name}: English in a comment: {c}");
        }
        for note in ["assumed", "seed", "Transcribed", "Reading chosen"] {
            assert!(!text.contains(note), "{name}: transcription note {note:?}");
        }
    }
}

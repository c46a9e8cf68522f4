//! No input makes shinko panic, and what `check` accepts, `build` and `collect` can make:
//! deterministic mutations of the reference sheets (truncations, deleted, doubled and swapped
//! lines, swapped values, shifted indentation, random bytes) and targeted adversarial inputs
//! (limits of Excel and of file systems, names that collide) are fed to `check`, `build` and
//! `collect`. Every run must end with exit status 0 or 1 (never a panic's 101, never a
//! signal); a failing run must say why in readable text, and write nothing. And the property
//! of issue 10: when `check` exits 0, `build` (every format) exits 0 writing one PDF and one
//! XLSX per item, and `collect --year Y` exits 0 for the plan years Y.

mod common;

use std::path::Path;
use std::sync::Mutex;

use shinko::yaml_tree::Value;

use common::*;

/// xorshift64*: a small fixed-seed generator, so that every run tests the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes YAML and people tend to trip over, mixed into the random edits.
const TRICKY: &[&[u8]] = &[
    b":", b": ", b"-", b"- ", b"\t", b"\n", b"  ", b"\"", b"'", b"#", b"&a ", b"*a", b"[", b"]", b"{", b"}",
    b"|", b">", b"!", b"%", b"@", b"`", b",", b"?", b"~", b"null", b"\r", b"\0", b"\xef\xbb\xbf",
    "☑".as_bytes(), "𠮷".as_bytes(), "１".as_bytes(), "\u{3000}".as_bytes(), b"\x82\xa0", b"\xff", b"1e400",
    b"-0", b"99999999999999999999", b".nan", b"!!binary", b"<<: *a",
];

/// One mutated file: a label (for messages) and its bytes.
type Case = (String, Vec<u8>);

/// One sheets folder to test: a label and its files (name, bytes).
type Folder = (String, Vec<(String, Vec<u8>)>);

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn mutations(name: &str, text: &str, seed: u64, random: usize) -> Vec<Case> {
    let bytes = text.as_bytes();
    let ls = lines(text);
    let mut out: Vec<Case> = Vec::new();
    // Truncations, also in the middle of multi-byte characters.
    let step = (bytes.len() / 90).max(1);
    for at in (0..bytes.len()).step_by(step).chain([1, 2, bytes.len() - 1]) {
        out.push((format!("{name}: truncated at byte {at}"), bytes[..at].to_vec()));
    }
    for i in 0..ls.len() {
        let mut v = ls.clone();
        v.remove(i);
        out.push((format!("{name}: line {} deleted", i + 1), v.concat().into_bytes()));
        if i % 3 == 0 {
            let mut v = ls.clone();
            v.insert(i, ls[i]);
            out.push((format!("{name}: line {} doubled", i + 1), v.concat().into_bytes()));
        }
        if i + 1 < ls.len() && i % 2 == 0 {
            let mut v = ls.clone();
            v.swap(i, i + 1);
            out.push((format!("{name}: lines {} and {} swapped", i + 1, i + 2), v.concat().into_bytes()));
        }
        if i % 4 == 1 {
            let mut v: Vec<String> = ls.iter().map(|s| s.to_string()).collect();
            v[i] = match v[i].strip_prefix(' ') {
                Some(rest) => rest.to_owned(),
                None => format!("   {}", v[i]),
            };
            out.push((format!("{name}: line {} re-indented", i + 1), v.concat().into_bytes()));
        }
    }
    // Values swapped between two `key: value` lines.
    let mut rng = Rng(seed);
    let pairs: Vec<usize> = ls.iter().enumerate().filter(|(_, l)| l.contains(": ")).map(|(i, _)| i).collect();
    for _ in 0..random / 2 {
        let (a, b) = (pairs[rng.below(pairs.len())], pairs[rng.below(pairs.len())]);
        let split = |l: &str| {
            let (k, v) = l.split_once(": ").unwrap();
            (k.to_owned(), v.to_owned())
        };
        let (ka, va) = split(ls[a]);
        let (kb, vb) = split(ls[b]);
        let mut v: Vec<String> = ls.iter().map(|s| s.to_string()).collect();
        v[a] = format!("{ka}: {vb}");
        v[b] = format!("{kb}: {va}");
        out.push((format!("{name}: values of lines {} and {} swapped", a + 1, b + 1), v.concat().into_bytes()));
    }
    // Random byte edits: replace, insert or delete a few bytes, sometimes tricky ones.
    for n in 0..random {
        let mut v = bytes.to_vec();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(v.len());
            match rng.below(4) {
                0 => v[at] = rng.next() as u8,
                1 => {
                    let t = TRICKY[rng.below(TRICKY.len())];
                    v.splice(at..at, t.iter().copied());
                }
                2 => {
                    let end = (at + 1 + rng.below(8)).min(v.len());
                    v.drain(at..end);
                }
                _ => {
                    let t = TRICKY[rng.below(TRICKY.len())];
                    let end = (at + t.len()).min(v.len());
                    v.splice(at..end, t.iter().copied());
                }
            }
        }
        out.push((format!("{name}: random edit #{n}"), v));
    }
    out
}

/// `shinko collect --year Y --sheets DIR --out OUT`.
fn collect(dir: &Path, out: &Path, year: i32) -> Run {
    let year = year.to_string();
    shinko(&[
        "collect".as_ref(),
        "--year".as_ref(),
        year.as_ref(),
        "--sheets".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

/// The plan period (first and last year) written in a plan.yaml; `None` when it does not
/// parse or has no period (check fails then anyway).
fn plan_years(plan: &[u8]) -> Option<(i32, i32)> {
    let root = shinko::yaml_tree::parse(std::str::from_utf8(plan).ok()?).ok()?;
    let period = root.get("計画期間")?;
    let year = |key: &str| match &period.get(key)?.value {
        Value::Int(n) => i32::try_from(*n).ok(),
        Value::Str(s) => s.trim().trim_end_matches("年度").parse().ok(),
        _ => None,
    };
    Some((year("開始年度")?, year("終了年度")?))
}

/// Which plan years `collect` runs for.
#[derive(Clone, Copy)]
enum Years {
    /// Every year of the plan period.
    All,
    /// One year, chosen by the case number (`first + n % span`).
    OneBy(usize),
}

/// Whether a failed run said why in readable text.
fn readable_failure(run: &Run) -> bool {
    // U+FFFD only where a file that is not UTF-8 is shown.
    !run.stderr.trim().is_empty()
        && run.stderr.contains("エラー")
        && !run.stderr.contains("panicked")
        && (!run.stderr.contains('\u{fffd}') || run.stderr.contains("UTF-8 ではありません"))
}

/// Runs check, build and (when check accepts) collect on one sheets folder; returns check's
/// exit status and what is wrong, if anything. `items`: when given, how many item files the
/// folder holds, so that build must write exactly that many PDFs and XLSX files. `strict`:
/// collect must exit 0 when check did (issue 10's property); otherwise collect may also refuse
/// with a readable message, writing nothing.
fn run_case(label: &str, files: &[(&str, &[u8])], n: usize, years: Years, items: Option<usize>, strict: bool) -> (Option<i32>, Option<String>) {
    let dir = sheets(&format!("mut{n}"), files);
    let out = TempDir::new(&format!("mut{n}-out"));
    let target = out.join("o");
    let c = check(dir.path());
    let b = build(dir.path(), &target);
    let mut problems = Vec::new();
    for (what, run) in [("check", &c), ("build", &b)] {
        match run.code {
            Some(0) => {}
            Some(1) if !readable_failure(run) => {
                problems.push(format!("{what}: exit 1 without a readable message:\n{}", run.stderr))
            }
            Some(1) => {}
            other => problems.push(format!("{what}: exit status {other:?}\n{}", run.stderr)),
        }
    }
    if c.code != b.code {
        problems.push(format!("check and build disagree:\ncheck: {}\nbuild: {}", c.stderr, b.stderr));
    }
    if b.code == Some(1) && target.exists() && !files_in(&target).is_empty() {
        problems.push(format!("build failed but wrote {:?}", files_in(&target)));
    }
    if b.code == Some(0) && files_in(&target).iter().all(|f| !f.ends_with(".pdf")) && !c.stderr.contains("(0 項目") {
        problems.push(format!("build succeeded without writing a PDF: {:?}\n{}", files_in(&target), b.stderr));
    }
    if let (Some(0), Some(items)) = (b.code, items) {
        // One PDF and one XLSX per item, beside the whole plan's book.pdf and summary.xlsx.
        let written: Vec<String> = files_in(&target).into_iter().filter(|f| !matches!(f.as_str(), "book.pdf" | "summary.xlsx")).collect();
        for ext in [".pdf", ".xlsx"] {
            let k = written.iter().filter(|f| f.ends_with(ext)).count();
            if k != items {
                problems.push(format!("build wrote {k} {ext} files for {items} items: {written:?}"));
            }
        }
    }
    if c.code == Some(0) {
        let plan = files.iter().find(|(name, _)| *name == "plan.yaml").map(|(_, b)| *b).unwrap_or_default();
        match plan_years(plan) {
            None => problems.push("check accepted a plan.yaml whose 計画期間 this test cannot read".into()),
            Some((first, last)) => {
                let span = (last - first + 1).max(1) as usize;
                let chosen: Vec<i32> = match years {
                    Years::All => (first..=last).collect(),
                    Years::OneBy(k) => vec![first + (k % span) as i32],
                };
                for year in chosen {
                    let books = out.join(&format!("c{year}"));
                    let r = collect(dir.path(), &books, year);
                    let written = files_in(&books.join("collect").join(year.to_string()));
                    let tolerated = !strict && r.code == Some(1) && readable_failure(&r);
                    if r.code != Some(0) && !tolerated {
                        problems.push(format!("check accepted, but collect --year {year} exited with {:?}:\n{}", r.code, r.stderr));
                    } else if r.code != Some(0) && !written.is_empty() {
                        problems.push(format!("collect --year {year} failed but wrote {written:?}"));
                    } else if r.code == Some(0)
                        && ((written.is_empty() && !r.stderr.contains("記入用ブックは作りませんでした")) || written.iter().any(|f| !f.ends_with(".xlsx")))
                    {
                        // (Without any 取組主管課 there is nobody to ask: nothing written, a warning.)
                        problems.push(format!("collect --year {year} succeeded, writing {written:?}:\n{}", r.stderr));
                    }
                }
            }
        }
    }
    (c.code, (!problems.is_empty()).then(|| format!("{label}:\n{}", problems.join("\n"))))
}

/// Runs every case on a few threads; reports all failures at once. Both outcomes must occur
/// often: accepted inputs exercise layout and rendering of odd values, rejected ones the
/// reporting.
fn run_all(cases: Vec<Folder>, strict: bool) {
    let total = cases.len();
    let queue = Mutex::new(cases.into_iter().enumerate().collect::<Vec<_>>());
    let failures = Mutex::new(Vec::new());
    let accepted = Mutex::new(0usize);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let Some((n, (label, files))) = queue.lock().unwrap().pop() else { break };
                    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
                    // collect for one plan year chosen by the case number, and for every year
                    // on every 10th case: all years of all cases would triple the run time.
                    let years = if n % 10 == 0 { Years::All } else { Years::OneBy(n) };
                    let (code, failure) = run_case(&label, &files, n, years, None, strict);
                    if let Some(f) = failure {
                        failures.lock().unwrap().push(f);
                    }
                    if code == Some(0) {
                        *accepted.lock().unwrap() += 1;
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of the mutated inputs failed:\n\n{}", failures.len(), failures.join("\n\n"));
    let accepted = accepted.into_inner().unwrap();
    eprintln!("{total} mutated inputs: {accepted} accepted, {} rejected", total - accepted);
    assert!(accepted * 10 > total && (total - accepted) * 10 > total, "{accepted} of {total} accepted");
}

fn item_mutations() -> Vec<Folder> {
    let plan = reference_plan();
    let item = reference_item();
    let cases = mutations("3-2.yaml", &item, 0x5EED_0001, 400)
        .into_iter()
        .map(|(label, bytes)| (label, vec![("plan.yaml".to_owned(), plan.clone().into_bytes()), ("3-2.yaml".to_owned(), bytes)]))
        .collect::<Vec<_>>();
    assert!(cases.len() > 900, "only {} cases", cases.len());
    cases
}

/// Item mutations, strictly: nothing crashes, and what check accepts, build builds and collect
/// makes workbooks for (a folder without any 取組主管課 is collected as nothing, with a warning).
#[test]
fn mutated_item_files_accepted_by_check_build_and_collect() {
    run_all(item_mutations(), true);
}

/// Plan mutations (changed periods, scales, pillars): nothing crashes, and what check accepts,
/// build and collect make, strictly.
#[test]
fn mutated_plan_files_check_implies_build_and_collect() {
    let plan = reference_plan();
    let item = reference_item();
    let cases = mutations("plan.yaml", &plan, 0x5EED_0002, 150)
        .into_iter()
        .map(|(label, bytes)| (label, vec![("plan.yaml".to_owned(), bytes), ("3-2.yaml".to_owned(), item.clone().into_bytes())]))
        .collect::<Vec<_>>();
    run_all(cases, true);
}

// ---- targeted adversarial inputs ----
//
// Each is an input a careful adversary would try. The property is the same: check rejects it
// with a readable message (and build writes nothing), or build and collect (every plan year)
// succeed with one PDF and one XLSX per item. Cases the product gets wrong today are
// checked by `check` (issue 10).

/// Checks the property on one folder: `files` are (name, text); `items` is how many of them
/// are item files. Returns check's exit status, or what is wrong.
fn property(label: &str, files: &[(&str, String)], items: usize) -> Result<Option<i32>, String> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(100_000);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let (code, failure) = run_case(label, &files, n, Years::All, Some(items), true);
    eprintln!("{label}: check exited with {code:?}");
    failure.map_or(Ok(code), Err)
}

fn assert_property(label: &str, files: &[(&str, String)], items: usize) -> Option<i32> {
    property(label, files, items).unwrap_or_else(|f| panic!("{f}"))
}

/// The reference item with its number `3-2` (and its initiatives' `3-2-…`) changed to `number`.
fn renumbered(number: &str) -> String {
    reference_item().replace("\"3-2", &format!("\"{number}"))
}

/// A YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The reference item with every 取組主管課 replaced by `department`.
fn with_department(item: &str, department: &str) -> String {
    let mut out = String::new();
    for line in item.split_inclusive('\n') {
        match line.split_once("取組主管課: ") {
            Some((indent, _)) => out.push_str(&format!("{indent}取組主管課: [{}]\n", quoted(department))),
            None => out.push_str(line),
        }
    }
    out
}

fn plan_and(items: Vec<(&str, String)>) -> Vec<(&str, String)> {
    let mut files = vec![("plan.yaml", reference_plan())];
    files.extend(items);
    files
}

#[test]
fn a_21_year_plan_builds_and_collects() {
    let plan = reference_plan().replace("開始年度: 2021", "開始年度: 2000").replace("終了年度: 2025", "終了年度: 2020");
    assert!(plan.contains("開始年度: 2000") && plan.contains("終了年度: 2020"));
    // The item's years 2021–2025 moved to 2016–2020, inside the period.
    let mut item = reference_item();
    for y in 2021..=2025 {
        item = item.replace(&format!("{y}:"), &format!("{}:", y - 5));
    }
    let code = assert_property("21-year plan 2000–2020", &[("plan.yaml", plan), ("3-2.yaml", item)], 1);
    assert_eq!(code, Some(0), "a 21-year plan with the reference item is valid input");
}

#[test]
fn a_text_longer_than_an_excel_cell_is_refused_or_built() {
    // 33,000 characters in one paragraph: more than the 32,767 an XLSX cell holds.
    let long = "あ".repeat(33_000);
    let item = reference_item().replace(
        "    その他効果: 全体の寄附件数増加のほか、市内の賑わいにつながる事が期待できる。",
        &format!("    その他効果: {long}"),
    );
    assert!(item.contains(&long));
    assert_property("33,000-character その他効果", &plan_and(vec![("3-2.yaml", item)]), 1);
}

#[test]
fn bullets_longer_than_an_excel_cell_together_are_refused_or_built() {
    // 40 bullets of 900 characters: each is short, joined they exceed 32,767 characters.
    let bullets: String = (0..40).map(|i| format!("      - {}{}\n", i, "い".repeat(900))).collect();
    let item = reference_item().replace(
        "    その他効果: 全体の寄附件数増加のほか、市内の賑わいにつながる事が期待できる。\n",
        &format!("    その他効果:\n{bullets}"),
    );
    assert!(item.contains(&bullets));
    assert_property("40 × 900-character bullets", &plan_and(vec![("3-2.yaml", item)]), 1);
}

#[test]
fn item_number_with_a_slash_is_refused_or_built() {
    assert_property("item number 9/1", &plan_and(vec![("a.yaml", renumbered("9/1"))]), 1);
}

#[test]
fn item_number_dot_dot_is_refused_or_built() {
    assert_property("item number ..", &plan_and(vec![("a.yaml", renumbered(".."))]), 1);
}

#[test]
fn item_number_of_300_characters_is_refused_or_built() {
    assert_property("item number of 300 characters", &plan_and(vec![("a.yaml", renumbered(&"9".repeat(300)))]), 1);
}

#[test]
fn item_number_con_is_refused_or_built() {
    // `CON` (and `NUL`, `COM1`, …) cannot be a file name on Windows, with any extension.
    assert_property("item number CON", &plan_and(vec![("a.yaml", renumbered("CON"))]), 1);
}

#[test]
fn department_with_a_slash_is_refused_or_collected() {
    let item = with_department(&reference_item(), "総務部/行政経営課");
    assert_property("department 総務部/行政経営課", &plan_and(vec![("3-2.yaml", item)]), 1);
}

#[test]
fn department_of_300_characters_is_refused_or_collected() {
    let item = with_department(&reference_item(), &format!("{}課", "長".repeat(299)));
    assert_property("department of 300 characters", &plan_and(vec![("3-2.yaml", item)]), 1);
}

#[test]
fn departments_differing_in_case_only_are_refused_or_collected() {
    let a = with_department(&reference_item(), "ABC課");
    let b = with_department(&renumbered("3-3"), "abc課");
    assert_property("departments ABC課 and abc課", &plan_and(vec![("3-2.yaml", a), ("3-3.yaml", b)]), 2);
}

#[test]
fn item_numbers_that_encode_alike_are_refused_or_built() {
    // `.` is written `x2e_` in defined names, and a trailing dot is dropped from file names on
    // Windows.
    let files = plan_and(vec![("a.yaml", renumbered("9-1-.")), ("b.yaml", renumbered("9-1-x2e-"))]);
    assert_property("item numbers 9-1-. and 9-1-x2e-", &files, 2);
}

#[test]
fn a_duplicate_initiative_number_is_refused_or_collected() {
    let item = reference_item().replace("番号: \"3-2-2\"", "番号: \"3-2-1\"");
    assert_eq!(item.matches("番号: \"3-2-1\"").count(), 2);
    assert_property("initiative 3-2-1 twice in one item", &plan_and(vec![("3-2.yaml", item)]), 1);
}

#[test]
fn a_duplicate_initiative_number_across_items_is_refused_or_collected() {
    // Item 3-2 and item 3-2-1 (both legal item numbers) with initiatives 3-2-1-1 … in both.
    let a = reference_item().replace("\"3-2-1\"", "\"3-2-1-1\"");
    let b = renumbered("3-2-1");
    assert!(a.contains("\"3-2-1-1\"") && b.contains("\"3-2-1-1\""));
    assert_property("initiative 3-2-1-1 in items 3-2 and 3-2-1", &plan_and(vec![("a.yaml", a), ("b.yaml", b)]), 2);
}

#[test]
fn initiative_numbers_that_break_defined_names_are_refused_or_collected() {
    // Characters Excel does not allow in a defined name, numbers that look like a cell
    // reference.
    let mut failures = Vec::new();
    for (label, number) in [
        ("space and !", "3-2-1 !$"),
        ("full-width", "3-2-１"),
        ("cell-like", "3-2-R1C1"),
        ("A1-like", "3-2-A1"),
    ] {
        let item = reference_item().replace("\"3-2-1\"", &quoted(number));
        if let Err(f) = property(&format!("initiative number {label}"), &plan_and(vec![("3-2.yaml", item)]), 1) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_initiative_number_too_long_for_a_defined_name_is_refused_or_collected() {
    // Over the 255 characters of a defined name.
    let item = reference_item().replace("\"3-2-1\"", &format!("\"3-2-{}\"", "1".repeat(296)));
    assert_property("initiative number of 300 characters", &plan_and(vec![("3-2.yaml", item)]), 1);
}

#[test]
fn initiative_numbers_that_encode_alike_are_refused_or_collected() {
    // `3-2-.` and `3-2-x2e-` give the same defined names (`shinko_3_2_x2e_…`): in one
    // department's workbook.
    let item = reference_item().replace("\"3-2-1\"", "\"3-2-.\"").replace("\"3-2-2\"", "\"3-2-x2e-\"");
    let item = with_department(&item, "行政経営課");
    assert_property("initiative numbers 3-2-. and 3-2-x2e-", &plan_and(vec![("3-2.yaml", item)]), 1);
}


/// A name Windows cannot use for a file (a reserved device name, a trailing dot or space)
/// builds on Linux but would not on the city's Windows machines: the output file names are
/// made legal there (`_CON.pdf`, `9-1_.pdf`), and build and collect succeed.
#[test]
fn names_windows_cannot_use_for_files_are_built_under_names_windows_accepts() {
    let mut failures = Vec::new();
    for number in ["CON", "nul", "COM1", "LPT9", "aux.1", "9-1.", "9-1 "] {
        failures.extend(windows_names(&format!("item number {number:?}"), &plan_and(vec![("a.yaml", renumbered(number))])));
    }
    for dept in ["CON", "課.", "課 "] {
        let item = with_department(&reference_item(), dept);
        failures.extend(windows_names(&format!("department {dept:?}"), &plan_and(vec![("3-2.yaml", item)])));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Builds and collects (every year) `files`; returns what is wrong: a failed command, or an
/// output name Windows refuses.
fn windows_names(label: &str, files: &[(&str, String)]) -> Option<String> {
    let dir = sheets("winname", &files.iter().map(|(n, t)| (*n, t.as_bytes())).collect::<Vec<_>>());
    let out = dir.join("out");
    let b = build(dir.path(), &out);
    if b.code != Some(0) {
        return Some(format!("{label}: build exited with {:?}:\n{}", b.code, b.stderr));
    }
    let c = shinko(&["collect".as_ref(), "--year".as_ref(), "2022".as_ref(), "--sheets".as_ref(), dir.path().as_os_str(), "--out".as_ref(), out.as_os_str()]);
    if c.code != Some(0) {
        return Some(format!("{label}: collect exited with {:?}:\n{}", c.code, c.stderr));
    }
    let mut names = files_in(&out);
    names.extend(files_in(&out.join("collect").join("2022")));
    let bad: Vec<&String> = names
        .iter()
        .filter(|n| {
            let base = n.split('.').next().unwrap_or("").to_ascii_uppercase();
            let stem = n.rsplit_once('.').map_or(n.as_str(), |(s, _)| s);
            matches!(base.trim_end(), "CON" | "PRN" | "AUX" | "NUL" | "COM1" | "LPT9") || stem.ends_with(['.', ' '])
        })
        .collect();
    (!bad.is_empty()).then(|| format!("{label}: names Windows refuses: {bad:?}"))
}

//! No input makes shinko panic: deterministic mutations of the reference sheets (truncations,
//! deleted, doubled and swapped lines, swapped values, shifted indentation, random bytes) are
//! fed to `check` and `build`. Every run must end with exit status 0 or 1 (never a panic's
//! 101, never a signal); a failing run must say why in readable text, and write nothing.

mod common;

use std::sync::Mutex;

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

/// Runs check and build on one sheets folder; returns check's exit status and what is wrong,
/// if anything.
fn run_case(label: &str, files: &[(&str, &[u8])], n: usize) -> (Option<i32>, Option<String>) {
    let dir = sheets(&format!("mut{n}"), files);
    let out = TempDir::new(&format!("mut{n}-out"));
    let target = out.join("o");
    let c = check(dir.path());
    let b = build(dir.path(), &target);
    let mut problems = Vec::new();
    for (what, run) in [("check", &c), ("build", &b)] {
        match run.code {
            Some(0) => {}
            Some(1) => {
                // U+FFFD only where a file that is not UTF-8 is shown.
                let readable = !run.stderr.trim().is_empty()
                    && run.stderr.contains("エラー")
                    && !run.stderr.contains("panicked")
                    && (!run.stderr.contains('\u{fffd}') || run.stderr.contains("UTF-8 ではありません"));
                if !readable {
                    problems.push(format!("{what}: exit 1 without a readable message:\n{}", run.stderr));
                }
            }
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
    (c.code, (!problems.is_empty()).then(|| format!("{label}:\n{}", problems.join("\n"))))
}

/// Runs every case on a few threads; reports all failures at once. Both outcomes must occur
/// often: accepted inputs exercise layout and rendering of odd values, rejected ones the
/// reporting.
fn run_all(cases: Vec<Folder>) {
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
                    let (code, failure) = run_case(&label, &files, n);
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

#[test]
fn mutated_item_files_never_crash_check_or_build() {
    let plan = reference_plan();
    let item = reference_item();
    let cases = mutations("3-2.yaml", &item, 0x5EED_0001, 400)
        .into_iter()
        .map(|(label, bytes)| (label, vec![("plan.yaml".to_owned(), plan.clone().into_bytes()), ("3-2.yaml".to_owned(), bytes)]))
        .collect::<Vec<_>>();
    assert!(cases.len() > 900, "only {} cases", cases.len());
    run_all(cases);
}

#[test]
fn mutated_plan_files_never_crash_check_or_build() {
    let plan = reference_plan();
    let item = reference_item();
    let cases = mutations("plan.yaml", &plan, 0x5EED_0002, 150)
        .into_iter()
        .map(|(label, bytes)| (label, vec![("plan.yaml".to_owned(), bytes), ("3-2.yaml".to_owned(), item.clone().into_bytes())]))
        .collect::<Vec<_>>();
    run_all(cases);
}

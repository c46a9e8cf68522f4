//! Reading `plan.yaml` and the item files into the model.
//!
//! Each file is parsed into a span-carrying node tree (`yaml_tree`), then converted by hand.
//! The conversion never stops at the first problem: it records a diagnostic, skips the bad
//! value and goes on, so that one run reports everything that is wrong with the input's shape
//! (syntax, types, unknown and missing keys). Checks against the plan (grades, years, pillars,
//! …) are in `validate`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics, io_reason};
use crate::model::*;
use crate::schema::{self, Key, word::*};
use crate::yaml_tree::{self, Node, Value};

/// Everything read from a sheets directory.
#[derive(Debug, Default)]
pub struct SheetSet {
    pub files: Vec<SourceFile>,
    /// Index of plan.yaml in `files`.
    pub plan_file: Option<usize>,
    pub plan: Option<Plan>,
    pub items: Vec<ItemFile>,
}

impl SheetSet {
    /// The item file whose 項目 is `number`.
    pub fn item(&self, number: &str) -> Option<&ItemFile> {
        self.items.iter().find(|f| f.item.number.value == number)
    }
}

/// The plan file's name in a sheets directory.
pub const PLAN_FILE: &str = "plan.yaml";

/// Whether a directory entry's name is a file the staff hide or a program leaves behind:
/// dot files (`.3-2.yaml.swp`, macOS `._3-2.yaml`) and Office lock files (`~$3-2.yaml`). These
/// are not items.
pub fn is_hidden_name(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$")
}

/// Reads `plan.yaml` and every other `*.yaml` / `*.yml` of `dir`, in file-name order. A file
/// that cannot be read is a problem of that file; the others are read and checked all the same.
/// Where shinko looks for the sheets, and how to point it elsewhere.
const WHERE_SHEETS_ARE: &str = "shinko は、指定がなければ、いまいるフォルダの sheets/ を読みます。plan.yaml のある sheets フォルダの親フォルダに移動して実行するか、--sheets フォルダ で場所を指定してください (例: --sheets D:\\進行管理\\sheets)。";

/// Checks that the sheets folder can be read, before a command locks or reads it: a missing
/// one (run outside the project folder) is said with the absolute path looked at.
pub fn check_sheets_dir(dir: &Path) -> Result<(), Diagnostic> {
    std::fs::read_dir(dir).map(drop).map_err(|e| sheets_dir_error(dir, &e))
}

fn sheets_dir_error(dir: &Path, e: &std::io::Error) -> Diagnostic {
    let shown = crate::diag::absolute(dir);
    let message = if e.kind() == std::io::ErrorKind::NotFound {
        format!("シートのフォルダ {} がありません", shown.display())
    } else {
        format!("シートのフォルダ {} を読めません: {}", shown.display(), io_reason(e))
    };
    let here = std::env::current_dir().map(|d| format!("いまいるフォルダ: {}", d.display())).unwrap_or_default();
    let d = Diagnostic::file(&shown, message).note(WHERE_SHEETS_ARE);
    if here.is_empty() { d } else { d.note(here) }
}

pub fn load_dir(dir: &Path, diags: &mut Diagnostics) -> Result<SheetSet, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| sheets_dir_error(dir, &e))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !is_hidden_name(name)
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                )
                && !p.is_dir()
        })
        .collect();
    paths.sort();
    let plan_path = dir.join(PLAN_FILE);
    if !plan_path.is_file() {
        return Err(Diagnostic::file(
            &plan_path,
            format!(
                "{} がありません。計画全体の設定 (計画名・計画期間・改革の柱・評価区分) を書いた plan.yaml をこのフォルダに置いてください。",
                crate::diag::absolute(&plan_path).display()
            ),
        )
        .note(WHERE_SHEETS_ARE));
    }
    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for p in paths {
        match crate::output::read_regular(&p) {
            Ok(bytes) => inputs.push((p, bytes)),
            Err(message) => unreadable.push(
                Diagnostic::file(&p, message).note("ほかのプログラムが開いていないか、ファイルの権限を確かめてください。"),
            ),
        }
    }
    let set = load_files(inputs, diags);
    diags.list.extend(unreadable);
    Ok(set)
}

/// Loads files given as (path, bytes). The one named `plan.yaml` is the plan; it is converted
/// first, so that the items' years can be checked against its 計画期間 where they are written.
pub fn load_files(inputs: Vec<(PathBuf, Vec<u8>)>, diags: &mut Diagnostics) -> SheetSet {
    let mut set = SheetSet::default();
    let mut parsed = Vec::new();
    let mut to_parse = Vec::new();
    for (path, bytes) in inputs {
        let idx = set.files.len();
        let is_plan = path.file_name().and_then(|n| n.to_str()) == Some(PLAN_FILE);
        if is_plan {
            set.plan_file = Some(idx);
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                // Keep the file (decoded lossily) so that the report can show the line.
                let valid = e.utf8_error().valid_up_to();
                let cut_short = e.utf8_error().error_len().is_none();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let span = yaml_tree::span_of(&text, valid);
                let (what, why) = if cut_short {
                    ("で、ファイルの最後の文字が途中で切れています", "ファイルが途中までしか保存されていないか、UTF-8 ではない文字コードで保存されています。")
                } else {
                    ("に UTF-8 として読めないバイトがあります", "Shift_JIS などで保存されていると思われます。")
                };
                diags.push(
                    Diagnostic::new(
                        idx,
                        Some(span),
                        format!("ファイルの文字コードが UTF-8 ではありません ({} 行目 {} 文字目{what})", span.line, span.column),
                    )
                    .note(format!("{why}文字コードを UTF-8 にして保存し直してください (メモ帳なら「名前を付けて保存」で文字コード「UTF-8」を選びます)。")),
                );
                set.files.push(SourceFile { path, text });
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
        set.files.push(SourceFile { path, text });
        let src = &set.files[idx].text;
        if src.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
        }) {
            diags.push(Diagnostic::new(idx, None, "ファイルが空です (中身のない YAML ファイル)").note(empty_note(is_plan)));
            continue;
        }
        to_parse.push((idx, is_plan));
    }
    // Parsing is the costly part of loading: files are parsed in parallel, reported in order.
    let trees: Vec<_> = to_parse.par_iter().map(|(idx, _)| yaml_tree::parse(&set.files[*idx].text)).collect();
    for ((idx, is_plan), tree) in to_parse.into_iter().zip(trees) {
        match tree {
            // `~` or `null` alone: a file with nothing in it, like an empty one.
            Ok(root) if matches!(root.value, Value::Null) => {
                diags.push(
                    Diagnostic::new(idx, Some(root.span), "ファイルの中身が空 (~ または null だけ) です")
                        .note(empty_note(is_plan)),
                );
            }
            Ok(root) => parsed.push((idx, is_plan, root)),
            Err(e) => {
                let mut d = Diagnostic::new(idx, e.span, e.message);
                if let Some(h) = e.hint {
                    d = d.note(h);
                }
                diags.push(d.note(format!("YAML パーサの説明: {}", e.detail)));
            }
        }
    }
    // The plan first: the items' checks need its 計画期間. Then the items, in parallel, each
    // with its own list of problems, appended in file order as if converted one by one.
    let (plans, items): (Vec<_>, Vec<_>) = parsed.into_iter().partition(|(_, is_plan, _)| *is_plan);
    let mut period = None;
    for (idx, _, root) in plans {
        set.plan = Cx::new(idx, &set.files[idx].text, diags, None).plan(&root);
        period = set.plan.as_ref().map(|p| (p.first_year, p.last_year));
    }
    let files = &set.files;
    let converted: Vec<_> = items
        .into_par_iter()
        .map(|(idx, _, root)| {
            let mut own = Diagnostics::default();
            let item = Cx::new(idx, &files[idx].text, &mut own, period).item(&root);
            (idx, root, item, own)
        })
        .collect();
    for (idx, root, item, own) in converted {
        diags.list.extend(own.list);
        if let Some(item) = item {
            set.items.push(ItemFile { file: idx, root, item });
        }
    }
    set.items.sort_by_key(|f| f.file);
    set
}

fn empty_note(is_plan: bool) -> &'static str {
    if is_plan {
        "計画名・様式名・計画期間・改革の柱・評価区分を書いてください。"
    } else {
        "項目のシート (項目・項目名・改革の柱 など) を書くか、不要ならファイルを削除してください。"
    }
}

/// `parent.key`, the YAML path of a value, for messages.
fn sub(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

/// Conversion context: the file being read, where problems go, and the plan period the
/// items' years must fall in (once plan.yaml is read).
struct Cx<'a> {
    file: usize,
    /// The file's text, to look at how a value is written (comments, anchors, separators).
    src: &'a str,
    diags: &'a mut Diagnostics,
    period: Option<(i32, i32)>,
    /// What the top level of the file is called in messages.
    root: &'static str,
    /// (start, end, message without its path) of the problems reported so far: a value used
    /// again through an alias (`*name`) is reported once, where it is written.
    reported: HashSet<(usize, usize, String)>,
}

/// The known key nearest to a misspelt one, if it is near enough to be a likely typo.
pub fn suggest<'k>(key: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let a: Vec<char> = key.chars().collect();
    known
        .into_iter()
        .map(|k| (edit_distance(&a, &k.chars().collect::<Vec<_>>()), k))
        .filter(|(d, k)| *d <= 2.max(k.chars().count() / 3) && *d < k.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl<'a> Cx<'a> {
    fn new(file: usize, src: &'a str, diags: &'a mut Diagnostics, period: Option<(i32, i32)>) -> Self {
        Cx { file, src, diags, period, root: "ファイルの最上位", reported: HashSet::new() }
    }

    /// Reports a problem with `node`: `{subject}{rest}`, at the place the node is written.
    /// Returns `None` when the same problem was already reported there (through an alias).
    fn err(&mut self, node: &Node, subject: &str, rest: impl Into<String>) -> Option<&mut Diagnostic> {
        let rest = rest.into();
        let at = node.defined;
        if !self.reported.insert((at.start, at.end, rest.clone())) {
            return None;
        }
        let subject = if subject.is_empty() { self.root } else { subject };
        let mut d = Diagnostic::new(self.file, Some(at), format!("{subject}{rest}"));
        if node.is_alias() && node.span.is_known() {
            d = d.note(format!("この値は {} 行目の別名 (*名前) を通して使われています。", node.span.line));
        }
        self.diags.push(d);
        self.diags.list.last_mut()
    }

    /// Checks a mapping against its allowed keys; returns the entries by key.
    fn map<'n>(&mut self, node: &'n Node, path: &str, keys: &'static [Key]) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            if let Value::Str(text) = &node.value
                && text.contains('\u{3000}')
                && let Some(off) = self.src.get(node.defined.start..).and_then(|t| t.find('\u{3000}'))
            {
                // `　　実績: 研修`: full-width indentation makes the lines one text to YAML.
                let span = crate::yaml_tree::span_of(self.src, node.defined.start + off);
                let d = Diagnostic::new(self.file, Some(span), format!("{path} の字下げに全角スペースが使われています"))
                    .note("字下げは半角スペースで書いてください (全角スペースは文字として読まれ、「キー: 値」になりません)。");
                self.diags.push(d);
                return None;
            }
            if !matches!(node.value, Value::Null) {
                let rest = format!(" は「キー: 値」の形で書いてください (いまは{})", node.type_name());
                self.err(node, path, rest);
            }
            return None;
        };
        let mut fields = Fields { entries: Vec::new() };
        let allowed = keys.iter().map(|k| k.key).collect::<Vec<_>>().join("、");
        for (k, v) in entries {
            let name = k.key_text();
            if keys.iter().any(|k| k.key == name) {
                fields.entries.push((name, v));
                continue;
            }
            if let Some(off) = name.find('\u{3000}') {
                // `　　自己評価: C`: the full-width indentation became part of the key.
                let at = k.defined.start + self.src.get(k.defined.start..).and_then(|t| t.find('\u{3000}')).unwrap_or(off);
                let span = crate::yaml_tree::span_of(self.src, at.min(self.src.len().saturating_sub(1)));
                let fixed = name.replace('\u{3000}', "");
                let mut d = Diagnostic::new(self.file, Some(span), format!("キー「{name}」に全角スペースが入っています"));
                d = d.note(format!("字下げやスペースは半角で書いてください (キーは「{fixed}」)。"));
                self.diags.push(d);
                continue;
            }
            let rest = format!(" に「{name}」というキーはありません");
            let hint = suggest(&name, keys.iter().map(|k| k.key));
            if let Some(d) = self.err(k, path, rest) {
                if let Some(s) = hint {
                    d.notes.push(format!("「{s}」の書き間違いではありませんか?"));
                }
                d.notes.push(format!("ここで使えるキー: {allowed}"));
            }
        }
        for k in keys.iter().filter(|k| k.required) {
            let key = k.key;
            match fields.get_entry(key, entries) {
                None => {
                    self.err(node, path, format!(" に必要なキー「{key}」がありません"));
                }
                Some((k, v)) if matches!(v.value, Value::Null) => {
                    self.err(k, &sub(path, key), " の値が空です。値を書いてください");
                }
                Some(_) => {}
            }
        }
        Some(fields)
    }

    fn string(&mut self, node: Option<&Node>, path: &str) -> Option<String> {
        let node = node?;
        match &node.value {
            Value::Str(s) => {
                self.check_plain(node, path, false);
                Some(s.clone())
            }
            Value::Int(_) | Value::Float(_) => Some(node.key_text()),
            // `Y`, `no`, `on`: YAML 1.1 reads these words as true/false; a name or a grade
            // letter written so (次年度以降 `Y: 継続`) is meant as the word.
            Value::Bool(_) if self.written(node).is_some() => self.written(node),
            Value::Null => None,
            _ => {
                self.err(node, path, format!(" は文字列で書いてください (いまは{})", node.type_name()));
                None
            }
        }
    }

    /// The source text of a plain scalar written in the file (not through an alias).
    fn written(&self, node: &Node) -> Option<String> {
        let text = self.src.get(node.defined.start..node.defined.end)?.trim();
        (node.defined.is_known() && !text.is_empty() && !text.starts_with(['"', '\'', '*', '&', '!'])).then(|| text.to_owned())
    }

    fn sp_string(&mut self, node: Option<&Node>, path: &str) -> Option<Sp<String>> {
        let span = node?.span;
        self.string(node, path).map(|s| Sp::new(s, span))
    }

    fn int(&mut self, node: Option<&Node>, path: &str) -> Option<Sp<i64>> {
        let node = node?;
        match &node.value {
            Value::Int(i) => Some(Sp::new(*i, node.span)),
            Value::Str(s) if crate::number::half_width(s).trim().parse::<i64>().is_ok() => {
                Some(Sp::new(crate::number::half_width(s).trim().parse().unwrap_or_default(), node.span))
            }
            Value::Null => None,
            _ => {
                let shown = match &node.value {
                    Value::Str(_) | Value::Float(_) => format!("「{}」", node.key_text()),
                    _ => node.type_name().to_owned(),
                };
                self.err(node, path, format!(" は整数で書いてください (いまは{shown})"));
                None
            }
        }
    }

    fn text(&mut self, node: Option<&Node>, path: &str) -> Text {
        let Some(node) = node else { return Text::Empty };
        match &node.value {
            Value::Null => Text::Empty,
            Value::Str(s) if s.is_empty() => Text::Empty,
            Value::Str(s) => {
                self.check_plain(node, path, true);
                Text::Para(s.clone())
            }
            Value::Int(_) | Value::Float(_) => Text::Para(node.key_text()),
            Value::Bool(_) if self.written(node).is_some() => Text::Para(self.written(node).unwrap_or_default()),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    match &it.value {
                        Value::Str(s) => {
                            self.check_plain(it, &format!("{path}[{}]", i + 1), true);
                            out.push(s.clone())
                        }
                        Value::Int(_) | Value::Float(_) => out.push(it.key_text()),
                        Value::Null => {}
                        _ => {
                            let rest = format!(" は文字列で書いてください (箇条書きの 1 行に{}は書けません)", it.type_name());
                            self.err(it, &format!("{path}[{}]", i + 1), rest);
                        }
                    }
                }
                if out.is_empty() { Text::Empty } else { Text::Bullets(out) }
            }
            _ => {
                let rest = format!(" は文章 (文字列) か箇条書き (「- 」で始まる行のリスト) で書いてください (いまは{})", node.type_name());
                self.err(node, path, rest);
                Text::Empty
            }
        }
    }

    /// Warns about what YAML does to a plain (unquoted) text without a word: a ` #` on its line
    /// starts a comment, so the rest of the line is not part of the value (for texts, the
    /// sheet's sentences; names such as a grade's are often followed by a comment on purpose);
    /// `&name ` and `!tag ` before it are YAML's anchor and tag marks, not text.
    fn check_plain(&mut self, node: &Node, path: &str, comments: bool) {
        if node.is_alias() || !node.defined.is_known() {
            return;
        }
        let (start, end) = (node.defined.start, node.defined.end);
        let (Some(value), Some(after)) = (self.src.get(start..end), self.src.get(end..)) else { return };
        if value.starts_with(['"', '\'', '|', '>']) {
            return;
        }
        let line_start = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        let before = &self.src[line_start..start];
        // The mark written just before the value (`実績: &強調 予定どおり`). An anchor that an
        // alias uses (`*名前` elsewhere in the file) is meant as one.
        let mark = before.split_whitespace().next_back().filter(|w| w.starts_with(['&', '!']) && before.ends_with([' ', '\t']));
        if let Some(mark) = mark {
            let used = mark.strip_prefix('&').is_some_and(|name| self.src.contains(&format!("*{name}")));
            if !used {
                let what = if mark.starts_with('&') { "アンカー (別名の定義)" } else { "タグ" };
                let at = line_start + before.rfind(mark).unwrap_or(0);
                let span = crate::yaml_tree::span_of(self.src, at);
                let d = Diagnostic::new(self.file, Some(span), format!("{path} の先頭の「{mark}」は YAML の{what}として読まれ、値に入りません"))
                    .warning()
                    .note(format!("「{mark}」も文字として書くときは、値全体を \"…\" で囲んでください。"));
                self.diags.push(d);
            }
        }
        let rest = after.split('\n').next().unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if comments && trimmed.starts_with('#') && trimmed.len() < rest.len() {
            let at = end + (rest.len() - trimmed.len());
            let span = crate::yaml_tree::span_of(self.src, at);
            let d = Diagnostic::new(
                self.file,
                Some(span),
                format!("{path}: この行の「#」から後ろはコメントとして読まれ、値に入りません"),
            )
            .warning()
            .note("「#」も値に含めるときは、値全体を \"…\" で囲んでください。コメントのつもりなら、値の前の行に書くと確実です。");
            self.diags.push(d);
        }
    }

    /// A year key of a 年度別 / 目標 / 実績 mapping, checked against the plan period.
    fn year_key(&mut self, key: &Node, path: &str) -> Option<i32> {
        let year = match &key.value {
            Value::Int(i) => i32::try_from(*i).ok(),
            Value::Str(s) => crate::number::half_width(s).trim().trim_end_matches("年度").trim().parse().ok(),
            _ => None,
        };
        let Some(year) = year else {
            let rest = format!(" のキー「{}」は年度ではありません (西暦の数字で書きます。例: 2022)", key.key_text());
            self.err(key, path, rest);
            return None;
        };
        if let Some((first, last)) = self.period
            && !(first..=last).contains(&year)
        {
            let rest = format!(" の {year} 年度は計画期間の外です (使える年度: {first}〜{last})");
            if let Some(d) = self.err(key, path, rest) {
                d.notes.push("計画期間は plan.yaml の 計画期間 (開始年度・終了年度) で決まります。".into());
            }
            return None;
        }
        Some(year)
    }

    /// A mapping of year -> value (目標 / 実績).
    fn year_values(&mut self, node: Option<&Node>, path: &str) -> YearValues {
        let mut out = BTreeMap::new();
        for (year, v) in self.years(node, path, "値", "{2021: 50, 2023: 70}") {
            let amount = match &v.value {
                Value::Int(i) => Amount::Number(*i as f64),
                Value::Float(f) if f.is_finite() => Amount::Number(*f),
                Value::Float(_) => {
                    let rest = format!(" の「{}」は数として印刷できません (無限大や非数)", v.key_text());
                    self.err(v, &sub(path, &year.to_string()), rest);
                    continue;
                }
                Value::Str(s) if s.trim().is_empty() => continue,
                // `１５`, `"1,234"`, `▲120`: numbers as people type them, read as import reads them.
                Value::Str(s) => match crate::number::parse_number(s, &[]) {
                    Some(n) => Amount::Number(n),
                    None => Amount::Text(s.clone()),
                },
                Value::Null => continue,
                _ => {
                    let rest = format!(" は数値か文字列で書いてください (いまは{})", v.type_name());
                    self.err(v, &sub(path, &year.to_string()), rest);
                    continue;
                }
            };
            out.insert(year, Sp::new(amount, v.span));
        }
        out
    }

    /// The entries of a year-keyed mapping whose key is a year inside the plan period. Keys
    /// that name the same year (`2021`, `"2021"`, `2021年度`) are a duplicate, as identical
    /// keys are.
    fn years<'n>(&mut self, node: Option<&'n Node>, path: &str, what: &str, example: &str) -> Vec<(i32, &'n Node)> {
        let Some(node) = node else { return Vec::new() };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                let rest = format!(" は「年度: {what}」の形で書いてください (例: {example}。いまは{})", node.type_name());
                self.err(node, path, rest);
            }
            return Vec::new();
        };
        let mut out: Vec<(i32, &'n Node)> = Vec::new();
        let mut keys: Vec<(i32, &'n Node)> = Vec::new();
        for (k, v) in entries {
            if self.split_number(k, v, path) {
                continue;
            }
            let Some(y) = self.year_key(k, path) else { continue };
            if let Some((_, first)) = keys.iter().find(|(year, _)| *year == y) {
                let (a, b) = (first.key_text(), k.key_text());
                let same = if a == b { String::new() } else { format!(" (「{a}」と「{b}」は同じ年度です)") };
                let note = format!("もう一方: {} 行目 {} 列目", first.defined.line, first.defined.column);
                if let Some(d) = self.err(k, path, format!(" に {y} 年度が 2 回書かれています{same}")) {
                    d.notes.push(note);
                    d.notes.push("同じ年度は 1 回だけ書き、値を 1 つにまとめてください。".into());
                }
                continue;
            }
            keys.push((y, k));
            out.push((y, v));
        }
        out
    }

    /// `{2021: 1,234}`: in a flow mapping the comma of a number separates entries, so the
    /// parser reads `2021: 1` and a key `234` without a value. Says so (instead of「234 年度は
    /// 計画期間の外です」) and returns true for the stray key.
    fn split_number(&mut self, key: &Node, value: &Node, path: &str) -> bool {
        if !matches!(value.value, Value::Null) || !matches!(key.value, Value::Int(_)) || !key.defined.is_known() {
            return false;
        }
        let before = self.src.get(..key.defined.start).unwrap_or("").trim_end_matches([' ', '\t']);
        let Some(head) = before.strip_suffix(',') else { return false };
        let digits: String = head.chars().rev().take_while(|c| c.is_ascii_digit()).collect::<Vec<_>>().into_iter().rev().collect();
        if digits.is_empty() {
            return false;
        }
        let written = format!("{digits},{}", key.key_text());
        let rest = format!(
            " の「{written}」は、{{ … }} の中で「,」が区切りとして読まれ、「{digits}」と「{}」の 2 つに分かれています",
            key.key_text()
        );
        if let Some(d) = self.err(key, path, rest) {
            d.notes.push(format!("数は「{}」のようにカンマなしで書くか、\"{written}\" のように引用符で囲んでください。", written.replace(',', "")));
        }
        true
    }

    fn aggregate(&mut self, node: Option<&Node>, path: &str) -> Option<Aggregate> {
        let s = self.string(node, path)?;
        match s.as_str() {
            SUM => Some(Aggregate::Sum),
            LATEST => Some(Aggregate::Latest),
            "" => None,
            other => {
                let rest = format!(" の「{other}」は使えません (使える値: 合計, 最新)");
                if let Some(d) = self.err(node?, path, rest) {
                    d.notes.push("合計: 各年度の数値の合計 / 最新: 値のある最新の年度の値".into());
                }
                None
            }
        }
    }

    fn scale(&mut self, node: Option<&Node>, path: &str) -> Scale {
        let mut scale = Scale::default();
        let Some(node) = node else { return scale };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                let rest = format!(" は「記号: 名前」の形で書いてください (例: A: 計画どおり。いまは{})", node.type_name());
                self.err(node, path, rest);
            }
            return scale;
        };
        for (k, v) in entries {
            let letter = match k.value {
                Value::Bool(_) => self.written(k).unwrap_or_else(|| k.key_text()),
                _ => k.key_text(),
            };
            let name = self.string(Some(v), &sub(path, &letter)).unwrap_or_default();
            scale.grades.push((letter, name));
        }
        scale
    }

    /// 取組の区分 of plan.yaml: a list of distinct words, each drawn as a box on the sheet
    /// (`□新規 □継続`); 新規 and 継続 when the key is missing or left empty.
    fn categories(&mut self, node: Option<&Node>) -> Vec<String> {
        let defaults = || schema::DEFAULT_CATEGORIES.iter().map(|s| s.to_string()).collect();
        let Some(node) = node else { return defaults() };
        let items = match &node.value {
            Value::Null => return defaults(),
            Value::Seq(items) => items,
            _ => {
                let rest = format!(
                    " はリストで書いてください (例: [{}]。いまは{})",
                    schema::DEFAULT_CATEGORIES.join(", "),
                    node.type_name()
                );
                self.err(node, PLAN_CATEGORIES, rest);
                return defaults();
            }
        };
        let mut out: Vec<String> = Vec::new();
        let mut seen: Vec<&Node> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let path = format!("{PLAN_CATEGORIES}[{}]", i + 1);
            let Some(word) = self.string(Some(it), &path) else {
                if matches!(it.value, Value::Null) {
                    self.err(it, &path, " が空です。区分の名前 (例: 新規) を書いてください");
                }
                continue;
            };
            let word = word.trim().to_owned();
            if word.is_empty() {
                self.err(it, &path, " が空です。区分の名前 (例: 新規) を書いてください");
            } else if word.contains(['□', '■']) {
                self.err(it, &path, format!(" の「{word}」に □ や ■ は使えません (シートではチェック欄の印になります)"));
            } else if let Some(first) = seen.iter().find(|n| n.key_text().trim() == word) {
                let note = format!("もう一方: {} 行目 {} 列目", first.defined.line, first.defined.column);
                if let Some(d) = self.err(it, &path, format!(" の「{word}」が 2 回書かれています")) {
                    d.notes.push(note);
                }
            } else {
                seen.push(it);
                out.push(word);
            }
        }
        if out.is_empty() && items.is_empty() {
            let rest = format!(" が空のリストです。区分の名前を 1 つ以上書くか、キーごと消してください (キーがなければ {} です)", schema::DEFAULT_CATEGORIES.join("・"));
            self.err(node, PLAN_CATEGORIES, rest);
            return defaults();
        }
        out
    }

    fn plan(&mut self, root: &Node) -> Option<Plan> {
        self.root = "plan.yaml";
        let f = self.map(root, "", schema::PLAN)?;
        let mut plan = Plan {
            name: self.string(f.get(PLAN_NAME), PLAN_NAME).unwrap_or_default(),
            form_name: self.string(f.get(FORM_NAME), FORM_NAME).unwrap_or_default(),
            organization: self.string(f.get(ORGANIZATION), ORGANIZATION).unwrap_or_default(),
            ..Plan::default()
        };
        let mut period_ok = false;
        if let Some(p) = f.get(PERIOD).and_then(|n| self.map(n, PERIOD, schema::PERIOD_KEYS)) {
            let first = self.int(p.get(FIRST_YEAR), &sub(PERIOD, FIRST_YEAR));
            let last = self.int(p.get(LAST_YEAR), &sub(PERIOD, LAST_YEAR));
            if let (Some(a), Some(b)) = (first, last) {
                let (an, bn) = (p.get(FIRST_YEAR), p.get(LAST_YEAR));
                if !(1900..=2200).contains(&a.value) {
                    if let Some(n) = an {
                        self.err(n, &sub(PERIOD, FIRST_YEAR), format!(" の {} は西暦の年度として読めません (例: 2021)", a.value));
                    }
                } else if b.value < a.value || b.value - a.value > 20 {
                    if let Some(n) = bn {
                        let rest = format!(" の {} は開始年度 {} より前か、計画期間が長すぎます (21 年度まで)", b.value, a.value);
                        self.err(n, &sub(PERIOD, LAST_YEAR), rest);
                    }
                } else {
                    plan.first_year = a.value as i32;
                    plan.last_year = b.value as i32;
                    period_ok = true;
                }
            }
        }
        if let Some(node) = f.get(PILLAR) {
            match node.as_map() {
                Some(entries) => {
                    let mut seen: Vec<(i64, &Node)> = Vec::new();
                    for (k, v) in entries {
                        let Some(n) = self.int(Some(k), "改革の柱 の番号") else { continue };
                        if let Some((_, first)) = seen.iter().find(|(m, _)| *m == n.value) {
                            let note = format!("もう一方: {} 行目 {} 列目", first.defined.line, first.defined.column);
                            let rest = format!(" に柱 {} が 2 回書かれています (「{}」と「{}」は同じ番号です)", n.value, first.key_text(), k.key_text());
                            if let Some(d) = self.err(k, PILLAR, rest) {
                                d.notes.push(note);
                            }
                            continue;
                        }
                        seen.push((n.value, k));
                        let name = self.string(Some(v), &sub(PILLAR, &n.value.to_string())).unwrap_or_default();
                        plan.pillars.push((n.value, name));
                    }
                }
                None if matches!(node.value, Value::Null) => {}
                None => {
                    let rest = format!(" は「番号: 名前」の形で書いてください (例: 3: 担い手をつくる改革。いまは{})", node.type_name());
                    self.err(node, "改革の柱", rest);
                }
            }
        }
        if let Some(s) = f.get(SCALES).and_then(|n| self.map(n, SCALES, schema::SCALE_KEYS)) {
            plan.self_evaluation = self.scale(s.get(SELF_EVALUATION), &sub(SCALES, SELF_EVALUATION));
            plan.next_years = self.scale(s.get(NEXT_YEARS), &sub(SCALES, NEXT_YEARS));
            plan.internal = self.scale(s.get(INTERNAL), &sub(SCALES, INTERNAL));
            plan.external = self.scale(s.get(EXTERNAL), &sub(SCALES, EXTERNAL));
        }
        plan.categories = self.categories(f.get(PLAN_CATEGORIES));
        plan.members = self.members(f.get(MEMBERS));
        period_ok.then_some(plan)
    }

    fn item(&mut self, root: &Node) -> Option<Item> {
        let f = self.map(root, "", schema::ITEM_KEYS)?;
        let number = self.sp_string(f.get("項目"), "項目");
        if let (Some(n), Some(node)) = (&number, f.get("項目"))
            && n.value.trim().is_empty()
        {
            self.err(node, ITEM, " が空です。項目の番号 (例: 3-2) を書いてください");
        }
        let name = self.string(f.get(NAME), NAME).unwrap_or_default();
        let pillar = self.int(f.get(PILLAR), PILLAR);
        let overview = self.text(f.get(OVERVIEW), OVERVIEW);
        let mut indicators = Vec::new();
        if let Some(g) = f.get(INDICATORS).and_then(|n| self.map(n, INDICATORS, schema::INDICATOR_GROUPS)) {
            for (key, kind) in [(ACTIVITY_INDICATORS, IndicatorKind::Activity), (OUTCOME_INDICATORS, IndicatorKind::Outcome)] {
                let path = sub(INDICATORS, key);
                for (i, node) in self.list(g.get(key), &path).into_iter().enumerate() {
                    if let Some(ind) = self.indicator(node, kind, &format!("{path}[{}]", i + 1)) {
                        indicators.push(ind);
                    }
                }
            }
        }
        let mut years = BTreeMap::new();
        for (year, node) in self.years(f.get(YEARS), YEARS, "内容", "2022: の下に 取組目標: …") {
            if let Some(y) = self.item_year(node, &sub(YEARS, &year.to_string())) {
                years.insert(year, Sp::new(y, node.span));
            }
        }
        let mut initiatives = Vec::new();
        for (i, node) in self.list(f.get(INITIATIVES), INITIATIVES).into_iter().enumerate() {
            if let Some(ini) = self.initiative(node, &format!("取組内容[{}]", i + 1)) {
                initiatives.push(ini);
            }
        }
        Some(Item {
            number: number.filter(|n| !n.value.trim().is_empty())?,
            name,
            pillar: pillar?,
            overview,
            indicators,
            years,
            initiatives,
        })
    }

    fn list<'n>(&mut self, node: Option<&'n Node>, path: &str) -> Vec<&'n Node> {
        match node.map(|n| (n, &n.value)) {
            None | Some((_, Value::Null)) => Vec::new(),
            Some((_, Value::Seq(items))) => items.iter().collect(),
            Some((n, _)) => {
                let rest = format!(" はリスト (各要素を「- 」で始める形) で書いてください (いまは{})", n.type_name());
                self.err(n, path, rest);
                Vec::new()
            }
        }
    }

    fn indicator(&mut self, node: &Node, kind: IndicatorKind, path: &str) -> Option<Indicator> {
        let f = self.map(node, path, schema::INDICATOR)?;
        Some(Indicator {
            kind,
            name: self.string(f.get(INDICATOR_NAME), &sub(path, INDICATOR_NAME)).unwrap_or_default(),
            unit: self.string(f.get(UNIT), &sub(path, UNIT)).unwrap_or_default(),
            aggregate: self.aggregate(f.get(AGGREGATE), &sub(path, AGGREGATE)),
            targets: self.year_values(f.get(TARGET), &sub(path, TARGET)),
            results: self.year_values(f.get(RESULT), &sub(path, RESULT)),
            overview: self.text(f.get(OVERVIEW), &sub(path, OVERVIEW)),
        })
    }

    fn grade(&mut self, node: Option<&Node>, path: &str) -> Option<Sp<String>> {
        self.sp_string(node, path).filter(|s| !s.value.trim().is_empty())
    }

    /// 外部評価委員: a list of names, or of mappings with 名前 and ID.
    fn members(&mut self, node: Option<&Node>) -> Vec<Member> {
        let mut out = Vec::new();
        for (i, node) in self.list(node, MEMBERS).into_iter().enumerate() {
            let path = format!("{MEMBERS}[{}]", i + 1);
            let member = if node.as_map().is_some() {
                let Some(f) = self.map(node, &path, schema::MEMBER_KEYS) else { continue };
                let Some(name) = self.sp_string(f.get(MEMBER_NAME), &sub(&path, MEMBER_NAME)) else { continue };
                let id = self.string(f.get(MEMBER_ID), &sub(&path, MEMBER_ID)).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
                Member { name, id }
            } else {
                let Some(name) = self.sp_string(Some(node), &path) else { continue };
                Member { name, id: None }
            };
            if member.name.value.trim().is_empty() {
                self.err(node, &path, " の名前が空です");
                continue;
            }
            out.push(Member { name: Sp::new(member.name.value.trim().to_owned(), member.name.span), ..member });
        }
        out
    }

    /// 外部評価意見: member name → 評価 and 意見.
    fn opinions(&mut self, node: Option<&Node>, path: &str) -> Vec<Opinion> {
        let Some(node) = node else { return Vec::new() };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                let rest = format!(" は「委員の名前: {{評価: …, 意見: …}}」の形で書いてください (いまは{})", node.type_name());
                self.err(node, path, rest);
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let name = k.key_text();
            let at = sub(path, &name);
            let Some(f) = self.map(v, &at, schema::OPINION_KEYS) else { continue };
            out.push(Opinion {
                member: Sp::new(name.trim().to_owned(), k.defined),
                grade: self.grade(f.get(GRADE), &sub(&at, GRADE)),
                opinion: self.text(f.get(OPINION), &sub(&at, OPINION)),
            });
        }
        out
    }

    fn item_year(&mut self, node: &Node, path: &str) -> Option<ItemYear> {
        let f = self.map(node, path, schema::ITEM_YEAR)?;
        let mut y = ItemYear {
            goal: self.text(f.get(GOAL), &sub(path, GOAL)),
            activity_result: self.text(f.get(ACTIVITY_RESULT), &sub(path, ACTIVITY_RESULT)),
            outcome_result: self.text(f.get(OUTCOME_RESULT), &sub(path, OUTCOME_RESULT)),
            external: self.text(f.get(EXTERNAL), &sub(path, EXTERNAL)),
            opinions: self.opinions(f.get(OPINIONS), &sub(path, OPINIONS)),
            ..ItemYear::default()
        };
        let ie_path = sub(path, INTERNAL);
        if let Some(ie) = f.get(INTERNAL).and_then(|n| self.map(n, &ie_path, schema::INTERNAL_KEYS)) {
            y.internal_grade = self.grade(ie.get(GRADE), &sub(&ie_path, GRADE));
            y.internal_comment = self.text(ie.get(COMMENT), &sub(&ie_path, COMMENT));
        }
        Some(y)
    }

    fn measure(&mut self, node: Option<&Node>, path: &str, keys: &'static [Key], unit: &str) -> Measure {
        let Some(f) = node.and_then(|n| self.map(n, path, keys)) else {
            return Measure { unit: unit.into(), ..Measure::default() };
        };
        Measure {
            description: self.text(f.get(DESCRIPTION), &sub(path, DESCRIPTION)),
            note: self.text(f.get(NOTE), &sub(path, NOTE)),
            unit: self.string(f.get(UNIT), &sub(path, UNIT)).unwrap_or_else(|| unit.into()),
            aggregate: self.aggregate(f.get(AGGREGATE), &sub(path, AGGREGATE)),
            targets: self.year_values(f.get(TARGET), &sub(path, TARGET)),
            results: self.year_values(f.get(RESULT), &sub(path, RESULT)),
        }
    }

    fn initiative(&mut self, node: &Node, path: &str) -> Option<Initiative> {
        let f = self.map(node, path, schema::INITIATIVE)?;
        let p = |key: &str| sub(path, key);
        let number = self.sp_string(f.get(NUMBER), &p(NUMBER));
        let name = self.string(f.get(NAME), &p(NAME)).unwrap_or_default();
        let departments = match f.get(DEPARTMENT) {
            None => Vec::new(),
            Some(n) => match &n.value {
                Value::Seq(_) => match self.text(Some(n), &p(DEPARTMENT)) {
                    Text::Bullets(b) => b,
                    _ => Vec::new(),
                },
                _ => self.string(Some(n), &p(DEPARTMENT)).into_iter().filter(|s| !s.is_empty()).collect(),
            },
        };
        // Checked against the plan's 取組の区分 by `validate`.
        let category = self.sp_string(f.get(CATEGORY), &p(CATEGORY)).filter(|c| !c.value.trim().is_empty());
        let mut years = BTreeMap::new();
        for (year, n) in self.years(f.get(YEARS), &p(YEARS), "内容", "2022: の下に 取組目標: …") {
            let yp = sub(&p(YEARS), &year.to_string());
            if let Some(fy) = self.map(n, &yp, schema::INITIATIVE_YEAR) {
                let y = InitiativeYear {
                    goal: self.text(fy.get(GOAL), &sub(&yp, GOAL)),
                    activity: self.text(fy.get(ACTIVITY), &sub(&yp, ACTIVITY)),
                    result: self.text(fy.get(RESULT), &sub(&yp, RESULT)),
                    self_evaluation: self.grade(fy.get(SELF_EVALUATION), &sub(&yp, SELF_EVALUATION)),
                    reason: self.text(fy.get(REASON), &sub(&yp, REASON)),
                    next_years: self.grade(fy.get(NEXT_YEARS), &sub(&yp, NEXT_YEARS)),
                    direction: self.text(fy.get(DIRECTION), &sub(&yp, DIRECTION)),
                };
                years.insert(year, Sp::new(y, n.span));
            }
        }
        Some(Initiative {
            number: number?,
            name,
            departments,
            category,
            related_plans: self.text(f.get(RELATED_PLANS), &p(RELATED_PLANS)),
            overview: self.text(f.get(OVERVIEW), &p(OVERVIEW)),
            other_effects: self.text(f.get(OTHER_EFFECTS), &p(OTHER_EFFECTS)),
            effect: self.measure(f.get(EFFECT), &p(EFFECT), schema::EFFECT_KEYS, EFFECT_UNIT),
            indicator: self.measure(f.get(INDICATORS), &p(INDICATORS), schema::MEASURE, ""),
            years,
        })
    }
}

/// The checked entries of one mapping.
struct Fields<'n> {
    entries: Vec<(String, &'n Node)>,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The key node and value of an allowed key, looked up in the mapping's entries.
    fn get_entry(&self, key: &str, entries: &'n [(Node, Node)]) -> Option<(&'n Node, &'n Node)> {
        self.get(key)?;
        entries.iter().find(|(k, _)| k.key_text() == key).map(|(k, v)| (k, v))
    }
}

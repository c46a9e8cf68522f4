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

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::*;
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

/// Reads `plan.yaml` and every other `*.yaml` / `*.yml` of `dir`, in file-name order.
pub fn load_dir(dir: &Path, diags: &mut Diagnostics) -> Result<SheetSet, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("フォルダ {} を読めません: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                )
        })
        .collect();
    paths.sort();
    let plan_path = dir.join(PLAN_FILE);
    if !plan_path.is_file() {
        return Err(format!(
            "{} がありません。計画全体の設定 (計画名・計画期間・改革の柱・評価区分) を書いた plan.yaml をこのフォルダに置いてください。",
            plan_path.display()
        ));
    }
    let mut inputs = Vec::new();
    for p in paths {
        let bytes = crate::output::read_regular(&p)?;
        inputs.push((p, bytes));
    }
    Ok(load_files(inputs, diags))
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
            let note = if is_plan {
                "計画名・様式名・計画期間・改革の柱・評価区分を書いてください。"
            } else {
                "項目のシート (項目・項目名・改革の柱 など) を書くか、不要ならファイルを削除してください。"
            };
            diags.push(Diagnostic::new(idx, None, "ファイルが空です (中身のない YAML ファイル)").note(note));
            continue;
        }
        to_parse.push((idx, is_plan));
    }
    // Parsing is the costly part of loading: files are parsed in parallel, reported in order.
    let trees: Vec<_> = to_parse.par_iter().map(|(idx, _)| yaml_tree::parse(&set.files[*idx].text)).collect();
    for ((idx, is_plan), tree) in to_parse.into_iter().zip(trees) {
        match tree {
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
        set.plan = Cx::new(idx, diags, None).plan(&root);
        period = set.plan.as_ref().map(|p| (p.first_year, p.last_year));
    }
    let converted: Vec<_> = items
        .into_par_iter()
        .map(|(idx, _, root)| {
            let mut own = Diagnostics::default();
            let item = Cx::new(idx, &mut own, period).item(&root);
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

/// `parent.key`, the YAML path of a value, for messages.
fn sub(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

/// Conversion context: the file being read, where problems go, and the plan period the
/// items' years must fall in (once plan.yaml is read).
struct Cx<'a> {
    file: usize,
    diags: &'a mut Diagnostics,
    period: Option<(i32, i32)>,
    /// What the top level of the file is called in messages.
    root: &'static str,
    /// (start, end, message without its path) of the problems reported so far: a value used
    /// again through an alias (`*name`) is reported once, where it is written.
    reported: HashSet<(usize, usize, String)>,
}

/// The keys a mapping may hold, in the sheets' order: (key, required).
pub type Keys = &'static [(&'static str, bool)];

const PLAN_KEYS: Keys = &[
    ("計画名", true),
    ("様式名", true),
    ("団体名", false),
    ("計画期間", true),
    ("改革の柱", true),
    ("評価区分", true),
];
const PERIOD_KEYS: Keys = &[("開始年度", true), ("終了年度", true)];
const SCALES_KEYS: Keys = &[("自己評価", true), ("次年度以降", true), ("内部評価", true)];
const ITEM_KEYS: Keys = &[
    ("項目", true),
    ("項目名", true),
    ("改革の柱", true),
    ("概要", false),
    ("指標", false),
    ("年度別", false),
    ("取組内容", false),
];
const INDICATOR_GROUP_KEYS: Keys = &[("活動指標", false), ("成果指標", false)];
const INDICATOR_KEYS: Keys = &[
    ("名称", true),
    ("単位", false),
    ("集計", false),
    ("目標", false),
    ("実績", false),
    ("概要", false),
];
const ITEM_YEAR_KEYS: Keys = &[
    ("取組目標", false),
    ("活動実績", false),
    ("成果実績", false),
    ("内部評価", false),
    ("外部評価", false),
];
const INTERNAL_KEYS: Keys = &[("評価", false), ("コメント", false)];
pub const INITIATIVE_KEYS: Keys = &[
    ("番号", true),
    ("項目名", true),
    ("取組主管課", false),
    ("区分", false),
    ("関係計画等", false),
    ("概要", false),
    ("その他効果", false),
    ("効果額", false),
    ("指標", false),
    ("年度別", false),
];
const EFFECT_KEYS: Keys = &[
    ("説明", false),
    ("備考", false),
    ("集計", false),
    ("目標", false),
    ("実績", false),
];
pub const MEASURE_KEYS: Keys = &[
    ("説明", false),
    ("備考", false),
    ("単位", false),
    ("集計", false),
    ("目標", false),
    ("実績", false),
];
pub const INITIATIVE_YEAR_KEYS: Keys = &[
    ("取組目標", false),
    ("活動", false),
    ("実績", false),
    ("自己評価", false),
    ("評価理由", false),
    ("次年度以降", false),
    ("方向性・課題", false),
];

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
    fn new(file: usize, diags: &'a mut Diagnostics, period: Option<(i32, i32)>) -> Self {
        Cx { file, diags, period, root: "ファイルの最上位", reported: HashSet::new() }
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
    fn map<'n>(&mut self, node: &'n Node, path: &str, keys: Keys) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                let rest = format!(" は「キー: 値」の形で書いてください (いまは{})", node.type_name());
                self.err(node, path, rest);
            }
            return None;
        };
        let mut fields = Fields { entries: Vec::new() };
        let allowed = keys.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("、");
        for (k, v) in entries {
            let name = k.key_text();
            if keys.iter().any(|(key, _)| *key == name) {
                fields.entries.push((name, v));
                continue;
            }
            let rest = format!(" に「{name}」というキーはありません");
            let hint = suggest(&name, keys.iter().map(|(k, _)| *k));
            if let Some(d) = self.err(k, path, rest) {
                if let Some(s) = hint {
                    d.notes.push(format!("「{s}」の書き間違いではありませんか?"));
                }
                d.notes.push(format!("ここで使えるキー: {allowed}"));
            }
        }
        for (key, required) in keys {
            if !*required {
                continue;
            }
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
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) => Some(node.key_text()),
            Value::Null => None,
            _ => {
                self.err(node, path, format!(" は文字列で書いてください (いまは{})", node.type_name()));
                None
            }
        }
    }

    fn sp_string(&mut self, node: Option<&Node>, path: &str) -> Option<Sp<String>> {
        let span = node?.span;
        self.string(node, path).map(|s| Sp::new(s, span))
    }

    fn int(&mut self, node: Option<&Node>, path: &str) -> Option<Sp<i64>> {
        let node = node?;
        match &node.value {
            Value::Int(i) => Some(Sp::new(*i, node.span)),
            Value::Str(s) if s.trim().parse::<i64>().is_ok() => {
                Some(Sp::new(s.trim().parse().unwrap_or_default(), node.span))
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
            Value::Str(s) => Text::Para(s.clone()),
            Value::Int(_) | Value::Float(_) => Text::Para(node.key_text()),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    match &it.value {
                        Value::Str(s) => out.push(s.clone()),
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

    /// A year key of a 年度別 / 目標 / 実績 mapping, checked against the plan period.
    fn year_key(&mut self, key: &Node, path: &str) -> Option<i32> {
        let year = match &key.value {
            Value::Int(i) => i32::try_from(*i).ok(),
            Value::Str(s) => s.trim().trim_end_matches("年度").trim().parse().ok(),
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
                Value::Float(f) => Amount::Number(*f),
                Value::Str(s) if s.trim().is_empty() => continue,
                Value::Str(s) => Amount::Text(s.clone()),
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

    /// The entries of a year-keyed mapping whose key is a year inside the plan period.
    fn years<'n>(&mut self, node: Option<&'n Node>, path: &str, what: &str, example: &str) -> Vec<(i32, &'n Node)> {
        let Some(node) = node else { return Vec::new() };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                let rest = format!(" は「年度: {what}」の形で書いてください (例: {example}。いまは{})", node.type_name());
                self.err(node, path, rest);
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            if let Some(y) = self.year_key(k, path) {
                out.push((y, v));
            }
        }
        out
    }

    fn aggregate(&mut self, node: Option<&Node>, path: &str) -> Option<Aggregate> {
        let s = self.string(node, path)?;
        match s.as_str() {
            "合計" => Some(Aggregate::Sum),
            "最新" => Some(Aggregate::Latest),
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
            let letter = k.key_text();
            let name = self.string(Some(v), &sub(path, &letter)).unwrap_or_default();
            scale.grades.push((letter, name));
        }
        scale
    }

    fn plan(&mut self, root: &Node) -> Option<Plan> {
        self.root = "plan.yaml";
        let f = self.map(root, "", PLAN_KEYS)?;
        let mut plan = Plan {
            name: self.string(f.get("計画名"), "計画名").unwrap_or_default(),
            form_name: self.string(f.get("様式名"), "様式名").unwrap_or_default(),
            organization: self.string(f.get("団体名"), "団体名").unwrap_or_default(),
            ..Plan::default()
        };
        let mut period_ok = false;
        if let Some(p) = f.get("計画期間").and_then(|n| self.map(n, "計画期間", PERIOD_KEYS)) {
            let first = self.int(p.get("開始年度"), "計画期間.開始年度");
            let last = self.int(p.get("終了年度"), "計画期間.終了年度");
            if let (Some(a), Some(b)) = (first, last) {
                let (an, bn) = (p.get("開始年度"), p.get("終了年度"));
                if !(1900..=2200).contains(&a.value) {
                    if let Some(n) = an {
                        self.err(n, "計画期間.開始年度", format!(" の {} は西暦の年度として読めません (例: 2021)", a.value));
                    }
                } else if b.value < a.value || b.value - a.value > 20 {
                    if let Some(n) = bn {
                        let rest = format!(" の {} は開始年度 {} より前か、計画期間が長すぎます (21 年度まで)", b.value, a.value);
                        self.err(n, "計画期間.終了年度", rest);
                    }
                } else {
                    plan.first_year = a.value as i32;
                    plan.last_year = b.value as i32;
                    period_ok = true;
                }
            }
        }
        if let Some(node) = f.get("改革の柱") {
            match node.as_map() {
                Some(entries) => {
                    for (k, v) in entries {
                        let Some(n) = self.int(Some(k), "改革の柱 の番号") else { continue };
                        let name = self.string(Some(v), &sub("改革の柱", &n.value.to_string())).unwrap_or_default();
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
        if let Some(s) = f.get("評価区分").and_then(|n| self.map(n, "評価区分", SCALES_KEYS)) {
            plan.self_evaluation = self.scale(s.get("自己評価"), "評価区分.自己評価");
            plan.next_years = self.scale(s.get("次年度以降"), "評価区分.次年度以降");
            plan.internal = self.scale(s.get("内部評価"), "評価区分.内部評価");
        }
        period_ok.then_some(plan)
    }

    fn item(&mut self, root: &Node) -> Option<Item> {
        let f = self.map(root, "", ITEM_KEYS)?;
        let number = self.sp_string(f.get("項目"), "項目");
        if let (Some(n), Some(node)) = (&number, f.get("項目"))
            && n.value.trim().is_empty()
        {
            self.err(node, "項目", " が空です。項目の番号 (例: 3-2) を書いてください");
        }
        let name = self.string(f.get("項目名"), "項目名").unwrap_or_default();
        let pillar = self.int(f.get("改革の柱"), "改革の柱");
        let overview = self.text(f.get("概要"), "概要");
        let mut indicators = Vec::new();
        if let Some(g) = f.get("指標").and_then(|n| self.map(n, "指標", INDICATOR_GROUP_KEYS)) {
            for (key, kind) in [("活動指標", IndicatorKind::Activity), ("成果指標", IndicatorKind::Outcome)] {
                let path = sub("指標", key);
                for (i, node) in self.list(g.get(key), &path).into_iter().enumerate() {
                    if let Some(ind) = self.indicator(node, kind, &format!("{path}[{}]", i + 1)) {
                        indicators.push(ind);
                    }
                }
            }
        }
        let mut years = BTreeMap::new();
        for (year, node) in self.years(f.get("年度別"), "年度別", "内容", "2022: の下に 取組目標: …") {
            if let Some(y) = self.item_year(node, &sub("年度別", &year.to_string())) {
                years.insert(year, Sp::new(y, node.span));
            }
        }
        let mut initiatives = Vec::new();
        for (i, node) in self.list(f.get("取組内容"), "取組内容").into_iter().enumerate() {
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
        let f = self.map(node, path, INDICATOR_KEYS)?;
        Some(Indicator {
            kind,
            name: self.string(f.get("名称"), &sub(path, "名称")).unwrap_or_default(),
            unit: self.string(f.get("単位"), &sub(path, "単位")).unwrap_or_default(),
            aggregate: self.aggregate(f.get("集計"), &sub(path, "集計")),
            targets: self.year_values(f.get("目標"), &sub(path, "目標")),
            results: self.year_values(f.get("実績"), &sub(path, "実績")),
            overview: self.text(f.get("概要"), &sub(path, "概要")),
        })
    }

    fn grade(&mut self, node: Option<&Node>, path: &str) -> Option<Sp<String>> {
        self.sp_string(node, path).filter(|s| !s.value.trim().is_empty())
    }

    fn item_year(&mut self, node: &Node, path: &str) -> Option<ItemYear> {
        let f = self.map(node, path, ITEM_YEAR_KEYS)?;
        let mut y = ItemYear {
            goal: self.text(f.get("取組目標"), &sub(path, "取組目標")),
            activity_result: self.text(f.get("活動実績"), &sub(path, "活動実績")),
            outcome_result: self.text(f.get("成果実績"), &sub(path, "成果実績")),
            external: self.text(f.get("外部評価"), &sub(path, "外部評価")),
            ..ItemYear::default()
        };
        let ie_path = sub(path, "内部評価");
        if let Some(ie) = f.get("内部評価").and_then(|n| self.map(n, &ie_path, INTERNAL_KEYS)) {
            y.internal_grade = self.grade(ie.get("評価"), &sub(&ie_path, "評価"));
            y.internal_comment = self.text(ie.get("コメント"), &sub(&ie_path, "コメント"));
        }
        Some(y)
    }

    fn measure(&mut self, node: Option<&Node>, path: &str, keys: Keys, unit: &str) -> Measure {
        let Some(f) = node.and_then(|n| self.map(n, path, keys)) else {
            return Measure { unit: unit.into(), ..Measure::default() };
        };
        Measure {
            description: self.text(f.get("説明"), &sub(path, "説明")),
            note: self.text(f.get("備考"), &sub(path, "備考")),
            unit: self.string(f.get("単位"), &sub(path, "単位")).unwrap_or_else(|| unit.into()),
            aggregate: self.aggregate(f.get("集計"), &sub(path, "集計")),
            targets: self.year_values(f.get("目標"), &sub(path, "目標")),
            results: self.year_values(f.get("実績"), &sub(path, "実績")),
        }
    }

    fn initiative(&mut self, node: &Node, path: &str) -> Option<Initiative> {
        let f = self.map(node, path, INITIATIVE_KEYS)?;
        let p = |key: &str| sub(path, key);
        let number = self.sp_string(f.get("番号"), &p("番号"));
        let name = self.string(f.get("項目名"), &p("項目名")).unwrap_or_default();
        let departments = match f.get("取組主管課") {
            None => Vec::new(),
            Some(n) => match &n.value {
                Value::Seq(_) => match self.text(Some(n), &p("取組主管課")) {
                    Text::Bullets(b) => b,
                    _ => Vec::new(),
                },
                _ => self.string(Some(n), &p("取組主管課")).into_iter().filter(|s| !s.is_empty()).collect(),
            },
        };
        let category = match (f.get("区分"), self.string(f.get("区分"), &p("区分"))) {
            (Some(n), Some(s)) => match s.as_str() {
                "新規" => Some(Sp::new(Category::New, n.span)),
                "継続" => Some(Sp::new(Category::Continued, n.span)),
                "" => None,
                other => {
                    self.err(n, &p("区分"), format!(" の「{other}」は使えません (使える値: 新規, 継続)"));
                    None
                }
            },
            _ => None,
        };
        let mut years = BTreeMap::new();
        for (year, n) in self.years(f.get("年度別"), &p("年度別"), "内容", "2022: の下に 取組目標: …") {
            let yp = sub(&p("年度別"), &year.to_string());
            if let Some(fy) = self.map(n, &yp, INITIATIVE_YEAR_KEYS) {
                let y = InitiativeYear {
                    goal: self.text(fy.get("取組目標"), &sub(&yp, "取組目標")),
                    activity: self.text(fy.get("活動"), &sub(&yp, "活動")),
                    result: self.text(fy.get("実績"), &sub(&yp, "実績")),
                    self_evaluation: self.grade(fy.get("自己評価"), &sub(&yp, "自己評価")),
                    reason: self.text(fy.get("評価理由"), &sub(&yp, "評価理由")),
                    next_years: self.grade(fy.get("次年度以降"), &sub(&yp, "次年度以降")),
                    direction: self.text(fy.get("方向性・課題"), &sub(&yp, "方向性・課題")),
                };
                years.insert(year, Sp::new(y, n.span));
            }
        }
        Some(Initiative {
            number: number?,
            name,
            departments,
            category,
            related_plans: self.text(f.get("関係計画等"), &p("関係計画等")),
            overview: self.text(f.get("概要"), &p("概要")),
            other_effects: self.text(f.get("その他効果"), &p("その他効果")),
            effect: self.measure(f.get("効果額"), &p("効果額"), EFFECT_KEYS, EFFECT_UNIT),
            indicator: self.measure(f.get("指標"), &p("指標"), MEASURE_KEYS, ""),
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

//! Reading `plan.yaml` and the item files into the model.
//!
//! Each file is parsed into a span-carrying node tree (`yaml_tree`), then converted by hand.
//! The conversion never stops at the first problem: it records a diagnostic, skips the bad
//! value and goes on, so that one run reports everything that is wrong with the input's shape
//! (syntax, types, unknown and missing keys). Checks against the plan (grades, years, pillars,
//! …) are in `validate`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::*;
use crate::yaml_tree::{self, Node, SrcSpan, Value};

/// Everything read from a sheets directory.
#[derive(Debug, Default)]
pub struct SheetSet {
    pub files: Vec<SourceFile>,
    /// Index of plan.yaml in `files`.
    pub plan_file: Option<usize>,
    pub plan: Option<Plan>,
    pub items: Vec<ItemFile>,
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
        let bytes = std::fs::read(&p).map_err(|e| format!("{} を読めません: {e}", p.display()))?;
        inputs.push((p, bytes));
    }
    Ok(load_files(inputs, diags))
}

/// Loads files given as (path, bytes). The one named `plan.yaml` is the plan.
pub fn load_files(inputs: Vec<(PathBuf, Vec<u8>)>, diags: &mut Diagnostics) -> SheetSet {
    let mut set = SheetSet::default();
    let mut parsed = Vec::new();
    for (path, bytes) in inputs {
        let idx = set.files.len();
        let is_plan = path.file_name().and_then(|n| n.to_str()) == Some(PLAN_FILE);
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
                let line = prefix.matches('\n').count() + 1;
                set.files.push(SourceFile { path, text: prefix });
                diags.push(
                    Diagnostic::new(idx, None, format!(
                        "ファイルが UTF-8 ではありません ({line} 行目、{} バイト目で読めない文字があります)",
                        valid + 1
                    ))
                    .note("文字コードを UTF-8 にして保存し直してください (メモ帳なら「名前を付けて保存」で文字コード UTF-8 を選びます)。"),
                );
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text);
        set.files.push(SourceFile { path, text });
        if is_plan {
            set.plan_file = Some(idx);
        }
        let src = &set.files[idx].text;
        if src.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            diags.push(
                Diagnostic::new(idx, None, "ファイルが空です (中身のない YAML ファイル)")
                    .note("項目のシートを書くか、不要ならファイルを削除してください。"),
            );
            continue;
        }
        match yaml_tree::parse(src) {
            Ok(root) => parsed.push((idx, is_plan, root)),
            Err(e) => diags.push(
                Diagnostic::new(idx, e.span, "YAML の書き方に誤りがあります")
                    .note(format!("詳細: {}", first_line(&e.message))),
            ),
        }
    }
    for (idx, is_plan, root) in parsed {
        let mut cx = Cx { file: idx, diags };
        if is_plan {
            set.plan = cx.plan(&root);
        } else if let Some(item) = cx.item(&root) {
            set.items.push(ItemFile { file: idx, root, item });
        }
    }
    set
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Conversion context: the file being read and where problems go.
struct Cx<'a> {
    file: usize,
    diags: &'a mut Diagnostics,
}

/// The keys a mapping may hold: (key, required).
type Keys = &'static [(&'static str, bool)];

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
const INITIATIVE_KEYS: Keys = &[
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
const MEASURE_KEYS: Keys = &[
    ("説明", false),
    ("備考", false),
    ("単位", false),
    ("集計", false),
    ("目標", false),
    ("実績", false),
];
const INITIATIVE_YEAR_KEYS: Keys = &[
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

impl Cx<'_> {
    fn err(&mut self, span: SrcSpan, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.error(self.file, Some(span), msg);
        self.diags.list.last_mut().expect("just pushed")
    }

    /// Checks a mapping against its allowed keys; returns the entries by key.
    fn map<'n>(&mut self, node: &'n Node, what: &str, keys: Keys) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                self.err(
                    node.span,
                    format!("{what} は「キー: 値」の形で書いてください ({} になっています)", node.type_name()),
                );
            }
            return None;
        };
        let mut fields = Fields { node, entries: Vec::new() };
        for (k, v) in entries {
            let name = k.key_text();
            if keys.iter().any(|(key, _)| *key == name) {
                fields.entries.push((name, v));
            } else {
                let known = keys.iter().map(|(k, _)| *k);
                let d = self.err(k.span, format!("{what} に「{name}」というキーはありません"));
                match suggest(&name, known) {
                    Some(s) => d.notes.push(format!("「{s}」の書き間違いではありませんか?")),
                    None => d.notes.push(format!(
                        "使えるキー: {}",
                        keys.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("、")
                    )),
                }
            }
        }
        for (key, required) in keys {
            if *required && fields.get(key).is_none() {
                self.err(node.span, format!("{what} に必要なキー「{key}」がありません"));
            }
        }
        Some(fields)
    }

    fn string(&mut self, node: Option<&Node>, what: &str) -> Option<String> {
        let node = node?;
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Null => None,
            _ => {
                self.err(node.span, format!("{what} は文字列で書いてください ({} になっています)", node.type_name()));
                None
            }
        }
    }

    fn sp_string(&mut self, node: Option<&Node>, what: &str) -> Option<Sp<String>> {
        let span = node?.span;
        self.string(node, what).map(|s| Sp::new(s, span))
    }

    fn int(&mut self, node: Option<&Node>, what: &str) -> Option<Sp<i64>> {
        let node = node?;
        match &node.value {
            Value::Int(i) => Some(Sp::new(*i, node.span)),
            Value::Str(s) if s.trim().parse::<i64>().is_ok() => {
                Some(Sp::new(s.trim().parse().unwrap_or_default(), node.span))
            }
            _ => {
                self.err(node.span, format!("{what} は整数で書いてください ({} になっています)", node.type_name()));
                None
            }
        }
    }

    fn text(&mut self, node: Option<&Node>, what: &str) -> Text {
        let Some(node) = node else { return Text::Empty };
        match &node.value {
            Value::Null => Text::Empty,
            Value::Str(s) if s.is_empty() => Text::Empty,
            Value::Str(s) => Text::Para(s.clone()),
            Value::Int(_) | Value::Float(_) => Text::Para(node.key_text()),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for it in items {
                    match &it.value {
                        Value::Str(s) => out.push(s.clone()),
                        Value::Int(_) | Value::Float(_) => out.push(it.key_text()),
                        Value::Null => {}
                        _ => {
                            self.err(it.span, format!("{what} の箇条書きの各行は文字列で書いてください ({} になっています)", it.type_name()));
                        }
                    }
                }
                if out.is_empty() { Text::Empty } else { Text::Bullets(out) }
            }
            _ => {
                self.err(node.span, format!("{what} は文章 (文字列) か箇条書き (リスト) で書いてください ({} になっています)", node.type_name()));
                Text::Empty
            }
        }
    }

    fn year_key(&mut self, key: &Node, what: &str) -> Option<i32> {
        let year = match &key.value {
            Value::Int(i) => i32::try_from(*i).ok(),
            Value::Str(s) => s.trim().trim_end_matches("年度").parse().ok(),
            _ => None,
        };
        if year.is_none() {
            self.err(key.span, format!("{what} のキー「{}」は年度 (西暦の数字、例: 2022) ではありません", key.key_text()));
        }
        year
    }

    /// A mapping of year -> value (目標 / 実績).
    fn year_values(&mut self, node: Option<&Node>, what: &str) -> YearValues {
        let mut out = BTreeMap::new();
        let Some(node) = node else { return out };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                self.err(node.span, format!("{what} は「年度: 値」の形で書いてください (例: {{2021: 50, 2023: 70}})"));
            }
            return out;
        };
        for (k, v) in entries {
            let Some(year) = self.year_key(k, what) else { continue };
            let amount = match &v.value {
                Value::Int(i) => Amount::Number(*i as f64),
                Value::Float(f) => Amount::Number(*f),
                Value::Str(s) if s.trim().is_empty() => continue,
                Value::Str(s) => Amount::Text(s.clone()),
                Value::Null => continue,
                _ => {
                    self.err(v.span, format!("{what} の {year} 年度の値は数値か文字列で書いてください ({} になっています)", v.type_name()));
                    continue;
                }
            };
            out.insert(year, Sp::new(amount, v.span));
        }
        out
    }

    fn aggregate(&mut self, node: Option<&Node>, what: &str) -> Option<Aggregate> {
        let s = self.sp_string(node, what)?;
        match s.value.as_str() {
            "合計" => Some(Aggregate::Sum),
            "最新" => Some(Aggregate::Latest),
            "" => None,
            other => {
                self.err(s.span, format!("{what} の集計「{other}」は使えません"))
                    .notes
                    .push("使える値: 合計 (各年度の数値の合計), 最新 (値のある最新年度の値)".into());
                None
            }
        }
    }

    fn scale(&mut self, node: Option<&Node>, what: &str) -> Scale {
        let mut scale = Scale::default();
        let Some(node) = node else { return scale };
        let Some(entries) = node.as_map() else {
            self.err(node.span, format!("{what} は「記号: 名前」の形で書いてください (例: A: 計画どおり)"));
            return scale;
        };
        for (k, v) in entries {
            let letter = k.key_text();
            let name = self.string(Some(v), &format!("{what}.{letter}")).unwrap_or_default();
            scale.grades.push((letter, name));
        }
        scale
    }

    fn plan(&mut self, root: &Node) -> Option<Plan> {
        let f = self.map(root, "plan.yaml", PLAN_KEYS)?;
        let mut plan = Plan {
            name: self.string(f.get("計画名"), "計画名").unwrap_or_default(),
            form_name: self.string(f.get("様式名"), "様式名").unwrap_or_default(),
            organization: self.string(f.get("団体名"), "団体名").unwrap_or_default(),
            ..Plan::default()
        };
        let mut period_ok = false;
        if let Some(p) = f.get("計画期間").and_then(|n| self.map(n, "計画期間", PERIOD_KEYS)) {
            let first = self.int(p.get("開始年度"), "開始年度");
            let last = self.int(p.get("終了年度"), "終了年度");
            if let (Some(a), Some(b)) = (first, last) {
                if !(1900..=2200).contains(&a.value) {
                    self.err(a.span, format!("開始年度 {} は西暦の年度として読めません", a.value));
                } else if b.value < a.value || b.value - a.value > 20 {
                    self.err(b.span, format!("終了年度 {} が開始年度 {} より前か、計画期間が長すぎます (21 年度まで)", b.value, a.value));
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
                        let Some(n) = self.int(Some(k), "改革の柱の番号") else { continue };
                        let name = self.string(Some(v), "改革の柱の名前").unwrap_or_default();
                        plan.pillars.push((n.value, name));
                    }
                }
                None => {
                    self.err(node.span, "改革の柱 は「番号: 名前」の形で書いてください (例: 3: 担い手をつくる改革)");
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
        let f = self.map(root, "項目のシート", ITEM_KEYS)?;
        let number = self.sp_string(f.get("項目"), "項目");
        let name = self.string(f.get("項目名"), "項目名").unwrap_or_default();
        let pillar = self.int(f.get("改革の柱"), "改革の柱");
        let overview = self.text(f.get("概要"), "概要");
        let mut indicators = Vec::new();
        if let Some(g) = f.get("指標").and_then(|n| self.map(n, "指標", INDICATOR_GROUP_KEYS)) {
            for (key, kind) in [("活動指標", IndicatorKind::Activity), ("成果指標", IndicatorKind::Outcome)] {
                for node in self.list(g.get(key), key) {
                    if let Some(ind) = self.indicator(node, kind) {
                        indicators.push(ind);
                    }
                }
            }
        }
        let mut years = BTreeMap::new();
        for (year, node) in self.years(f.get("年度別"), "年度別") {
            if let Some(y) = self.item_year(node) {
                years.insert(year, Sp::new(y, node.span));
            }
        }
        let mut initiatives = Vec::new();
        for node in self.list(f.get("取組内容"), "取組内容") {
            if let Some(i) = self.initiative(node) {
                initiatives.push(i);
            }
        }
        Some(Item {
            number: number?,
            name,
            pillar: pillar?,
            overview,
            indicators,
            years,
            initiatives,
        })
    }

    fn list<'n>(&mut self, node: Option<&'n Node>, what: &str) -> Vec<&'n Node> {
        match node.map(|n| (n, &n.value)) {
            None | Some((_, Value::Null)) => Vec::new(),
            Some((_, Value::Seq(items))) => items.iter().collect(),
            Some((n, _)) => {
                self.err(n.span, format!("{what} はリスト (各行を「- 」で始める形) で書いてください ({} になっています)", n.type_name()));
                Vec::new()
            }
        }
    }

    /// A 年度別 mapping: year -> node.
    fn years<'n>(&mut self, node: Option<&'n Node>, what: &str) -> Vec<(i32, &'n Node)> {
        let Some(node) = node else { return Vec::new() };
        let Some(entries) = node.as_map() else {
            if !matches!(node.value, Value::Null) {
                self.err(node.span, format!("{what} は「年度: 内容」の形で書いてください"));
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            if let Some(y) = self.year_key(k, what) {
                out.push((y, v));
            }
        }
        out
    }

    fn indicator(&mut self, node: &Node, kind: IndicatorKind) -> Option<Indicator> {
        let what = kind.label();
        let f = self.map(node, what, INDICATOR_KEYS)?;
        Some(Indicator {
            kind,
            name: self.string(f.get("名称"), "名称").unwrap_or_default(),
            unit: self.string(f.get("単位"), "単位").unwrap_or_default(),
            aggregate: self.aggregate(f.get("集計"), what),
            targets: self.year_values(f.get("目標"), "目標"),
            results: self.year_values(f.get("実績"), "実績"),
            overview: self.text(f.get("概要"), "概要"),
        })
    }

    fn grade(&mut self, node: Option<&Node>, what: &str) -> Option<Sp<String>> {
        self.sp_string(node, what).filter(|s| !s.value.trim().is_empty())
    }

    fn item_year(&mut self, node: &Node) -> Option<ItemYear> {
        let f = self.map(node, "年度別", ITEM_YEAR_KEYS)?;
        let mut y = ItemYear {
            goal: self.text(f.get("取組目標"), "取組目標"),
            activity_result: self.text(f.get("活動実績"), "活動実績"),
            outcome_result: self.text(f.get("成果実績"), "成果実績"),
            external: self.text(f.get("外部評価"), "外部評価"),
            ..ItemYear::default()
        };
        if let Some(ie) = f.get("内部評価").and_then(|n| self.map(n, "内部評価", INTERNAL_KEYS)) {
            y.internal_grade = self.grade(ie.get("評価"), "内部評価.評価");
            y.internal_comment = self.text(ie.get("コメント"), "内部評価.コメント");
        }
        Some(y)
    }

    fn measure(&mut self, node: Option<&Node>, what: &str, keys: Keys, unit: &str) -> Measure {
        let Some(f) = node.and_then(|n| self.map(n, what, keys)) else {
            return Measure { unit: unit.into(), ..Measure::default() };
        };
        Measure {
            description: self.text(f.get("説明"), "説明"),
            note: self.text(f.get("備考"), "備考"),
            unit: self.string(f.get("単位"), "単位").unwrap_or_else(|| unit.into()),
            aggregate: self.aggregate(f.get("集計"), what),
            targets: self.year_values(f.get("目標"), "目標"),
            results: self.year_values(f.get("実績"), "実績"),
        }
    }

    fn initiative(&mut self, node: &Node) -> Option<Initiative> {
        let f = self.map(node, "取組内容", INITIATIVE_KEYS)?;
        let number = self.sp_string(f.get("番号"), "番号");
        let name = self.string(f.get("項目名"), "項目名").unwrap_or_default();
        let departments = match f.get("取組主管課") {
            None => Vec::new(),
            Some(n) => match &n.value {
                Value::Seq(_) => match self.text(Some(n), "取組主管課") {
                    Text::Bullets(b) => b,
                    _ => Vec::new(),
                },
                _ => self.string(Some(n), "取組主管課").into_iter().filter(|s| !s.is_empty()).collect(),
            },
        };
        let category = self.sp_string(f.get("区分"), "区分").and_then(|s| match s.value.as_str() {
            "新規" => Some(Sp::new(Category::New, s.span)),
            "継続" => Some(Sp::new(Category::Continued, s.span)),
            "" => None,
            other => {
                self.err(s.span, format!("区分「{other}」は使えません"))
                    .notes
                    .push("使える値: 新規, 継続".into());
                None
            }
        });
        let mut years = BTreeMap::new();
        for (year, n) in self.years(f.get("年度別"), "年度別") {
            if let Some(fy) = self.map(n, "年度別", INITIATIVE_YEAR_KEYS) {
                let y = InitiativeYear {
                    goal: self.text(fy.get("取組目標"), "取組目標"),
                    activity: self.text(fy.get("活動"), "活動"),
                    result: self.text(fy.get("実績"), "実績"),
                    self_evaluation: self.grade(fy.get("自己評価"), "自己評価"),
                    reason: self.text(fy.get("評価理由"), "評価理由"),
                    next_years: self.grade(fy.get("次年度以降"), "次年度以降"),
                    direction: self.text(fy.get("方向性・課題"), "方向性・課題"),
                };
                years.insert(year, Sp::new(y, n.span));
            }
        }
        Some(Initiative {
            number: number?,
            name,
            departments,
            category,
            related_plans: self.text(f.get("関係計画等"), "関係計画等"),
            overview: self.text(f.get("概要"), "概要"),
            other_effects: self.text(f.get("その他効果"), "その他効果"),
            effect: self.measure(f.get("効果額"), "効果額", EFFECT_KEYS, EFFECT_UNIT),
            indicator: self.measure(f.get("指標"), "指標", MEASURE_KEYS, ""),
            years,
        })
    }
}

/// The checked entries of one mapping.
struct Fields<'n> {
    #[allow(dead_code)]
    node: &'n Node,
    entries: Vec<(String, &'n Node)>,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

//! The blank item file that `shinko new` writes: every key of the schema's item tables, in
//! their order, with empty values; the plan's years as the 年度別 and 目標 / 実績 keys; and
//! Japanese comments saying what goes where (the plan's pillars, grade scales and 区分 listed
//! from plan.yaml).
//!
//! The keys come from `schema` (a key added there appears here); only the comments' wording is
//! written here, looked up by the key's path ([`HELP`]).

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::era;
use crate::model::Plan;
use crate::schema::{self, Key, Kind, ScaleKind, word::*};
use crate::yaml_edit::double_quoted;

/// What the template is made for.
pub struct Request<'a> {
    pub plan: &'a Plan,
    /// The 項目 (item number), also the file's name.
    pub item: &'a str,
    /// How many 取組内容 entries to write.
    pub initiatives: usize,
}

/// What a key is for, by the end of its path (list indices and years left out): the longest
/// matching suffix wins, so `[INITIATIVES, NAME]` is an initiative's 項目名 and `[NAME]` the
/// item's.
const HELP: &[(&[&str], &str)] = &[
    (&[ITEM], "項目の番号。このファイルの名前 (拡張子 .yaml の前) と同じにします。"),
    (&[NAME], "項目の名前。シートの見出しに印刷されます。"),
    (&[PILLAR], "この項目が属する改革の柱の番号 (上の「改革の柱」の一覧から選びます)。"),
    (&[OVERVIEW], "項目全体で目指す姿。"),
    (&[INDICATORS], "項目の指標。活動指標・成果指標は、それぞれ「- 名称:」から始めて何件でも書けます。使わない指標は、その「- 名称:」から下の行ごと消してかまいません。"),
    (&[ACTIVITY_INDICATORS], "活動量を測る指標。"),
    (&[OUTCOME_INDICATORS], "成果を測る指標。"),
    (&[INDICATOR_NAME], "指標の名前。"),
    (&[UNIT], "数値の後に付けて印刷する単位 (例: 件、%、団体)。"),
    (&[AGGREGATE], "「計」の欄の出し方: 合計 (各年度の数値の合計) か 最新 (値のある最後の年度の値)。空のままなら「計」は空欄です。"),
    (&[TARGET], "年度ごとの目標。数値 (1,234 や ▲120 も可) か文字 (例: \"60団体以上\") を、その年度の「:」の後に書きます。"),
    (&[RESULT], "年度ごとの実績。書き方は目標と同じです。"),
    (&[ACTIVITY_INDICATORS, OVERVIEW], "指標の説明 (何を数えるか、出典など)。"),
    (&[OUTCOME_INDICATORS, OVERVIEW], "指標の説明 (何を数えるか、出典など)。"),
    (&[YEARS], "年度ごとの内容。年度は西暦で、計画期間の年度を並べてあります。"),
    (&[YEARS, GOAL], "その年度の取組目標。"),
    (&[YEARS, ACTIVITY_RESULT], "その年度の活動の実績。"),
    (&[YEARS, OUTCOME_RESULT], "その年度の成果の実績。"),
    (&[YEARS, INTERNAL], "内部評価: 評価 (記号) と コメント (結果の要因、次年度の課題など)。"),
    (&[YEARS, EXTERNAL], "外部評価 (評価委員会などの意見)。"),
    (&[INITIATIVES], "取組ごとに「- 番号:」から始めて書きます。取組を増やすときは、「- 番号:」から次の取組の前までを写して、番号を続けてください。"),
    (&[INITIATIVES, NUMBER], "取組の番号: 項目の番号・「-」・連番 (計画全体で 1 回だけ使えます)。"),
    (&[INITIATIVES, NAME], "取組の名前。"),
    (&[DEPARTMENT], "取組を担当する課。2 つ以上なら [行政経営課, 財産管理課] のように書きます。記入用ブック (shinko collect) はこの課ごとに作ります。"),
    (&[RELATED_PLANS], "関係する計画など。"),
    (&[INITIATIVES, OVERVIEW], "取組で目指すもの。"),
    (&[OTHER_EFFECTS], "効果額のほかに見込まれる効果。"),
    (&[EFFECT], "効果額 (単位は千円)。"),
    (&[INITIATIVES, INDICATORS], "取組の指標。"),
    (&[DESCRIPTION], "何の額・何の数かの説明。"),
    (&[NOTE], "備考 (説明の後に印刷されます)。"),
    (&[EFFECT, TARGET], "年度ごとの効果額の目標 (千円)。数値か文字で書きます。"),
    (&[EFFECT, RESULT], "年度ごとの効果額の実績 (千円)。"),
    (&[INITIATIVES, YEARS, GOAL], "その年度の取組目標。"),
    (&[INITIATIVES, YEARS, ACTIVITY], "その年度の取組内容 (活動)。"),
    (&[INITIATIVES, YEARS, RESULT], "その年度の実績。"),
    (&[INITIATIVES, YEARS, REASON], "自己評価の理由。"),
    (&[INITIATIVES, YEARS, DIRECTION], "次年度以降の取組の方向性・課題など。"),
];

/// The text of the blank item file.
pub fn item_file(r: &Request) -> String {
    let plan = r.plan;
    let mut out = String::new();
    let years = plan.years();
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a} ({}) 〜 {b} ({})", era::era_label(*a), era::era_label(*b)),
        _ => String::new(),
    };
    let _ = writeln!(out, "# {} {} {} (shinko new で作ったひな形)", plan.name, plan.form_name, r.item);
    out.push_str(
        "#\n\
         # 書き方\n\
         #   ・「キー:」の後に半角スペースを 1 つ空けて、値を書きます。空のままの欄は、シートでは空欄になります。\n\
         #   ・字下げ (行頭の空白) は半角スペースで、そろえたまま書きます (全角スペースやタブは使えません)。\n\
         #   ・文章は、1 つの段落ならそのまま書きます。箇条書きにするときは、次の行から字下げして\n\
         #     「- 」で始めて 1 行ずつ書きます (例:「取組目標:」の次の行に「  - 一つ目」「  - 二つ目」)。\n\
         #   ・「#」や「: 」を含む文章、記号で始まる文章は、全体を \"…\" で囲みます。\n\
         #   ・「#」から行の終わりまではメモ (コメント) で、シートには印刷されません。\n",
    );
    let _ = writeln!(out, "#   ・年度は西暦で書きます。この計画の年度: {span}");
    let _ = writeln!(out, "#   ・書き終えたら shinko check で確かめ、shinko build でシートを作ります。");
    let _ = writeln!(out, "#\n# {PILLAR} (plan.yaml の {PILLAR}。項目の「{PILLAR}:」には番号を書きます)");
    for (n, name) in &plan.pillars {
        let _ = writeln!(out, "#   {n}: {name}");
    }
    let _ = writeln!(out, "#\n# {SCALES} (plan.yaml の {SCALES}。評価の欄には記号を書きます)");
    for kind in [ScaleKind::SelfEvaluation, ScaleKind::NextYears, ScaleKind::Internal] {
        let _ = writeln!(out, "#   {}: {}", kind.key(), grades(plan, kind));
    }
    let _ = writeln!(
        out,
        "#\n# {CATEGORY} (plan.yaml の {PLAN_CATEGORIES}。取組の「{CATEGORY}:」にはどれか 1 つを書きます): {}\n",
        plan.categories.join("、")
    );
    let mut e = Emitter { r, out, path: Vec::new(), explained: HashSet::new(), number: 0 };
    e.map(schema::ITEM_KEYS, 0);
    e.out
}

/// `A 計画どおり、B 概ね計画どおり、…`.
fn grades(plan: &Plan, kind: ScaleKind) -> String {
    plan.scale(kind).grades.iter().map(|(l, n)| format!("{l} {n}")).collect::<Vec<_>>().join("、")
}

struct Emitter<'a> {
    r: &'a Request<'a>,
    out: String,
    /// The keys from the root to the key being written (list indices and years left out).
    path: Vec<&'static str>,
    /// The paths whose comment was written (once per path: the first year, the first
    /// initiative).
    explained: HashSet<Vec<&'static str>>,
    /// The number (from 1) of the list entry being written.
    number: usize,
}

impl Emitter<'_> {
    /// The keys of one mapping at `indent` spaces.
    fn map(&mut self, keys: &'static [Key], indent: usize) {
        for k in keys {
            self.path.push(k.key);
            self.key(k, indent);
            self.path.pop();
        }
    }

    fn key(&mut self, k: &Key, indent: usize) {
        let pad = " ".repeat(indent);
        self.comment(k, &pad);
        let plan = self.r.plan;
        let years = plan.years();
        match k.kind {
            Kind::Map(t) => {
                let _ = writeln!(self.out, "{pad}{}:", k.key);
                self.map(t, indent + 2);
            }
            Kind::List(t) => {
                let _ = writeln!(self.out, "{pad}{}:", k.key);
                let n = if self.path == [INITIATIVES] { self.r.initiatives } else { 1 };
                for i in 0..n {
                    self.entry(t, indent + 2, i + 1);
                }
            }
            Kind::Years(t) => {
                let _ = writeln!(self.out, "{pad}{}:", k.key);
                for y in years {
                    let _ = writeln!(self.out, "{pad}  {y}:  # {}", era::era_label(y));
                    self.map(t, indent + 4);
                }
            }
            Kind::YearValues => {
                let _ = writeln!(self.out, "{pad}{}:", k.key);
                for y in years {
                    let _ = writeln!(self.out, "{pad}  {y}:  # {}", era::era_label(y));
                }
            }
            _ => {
                let value = self.scalar(k);
                let _ = writeln!(self.out, "{pad}{}:{}", k.key, value.map(|v| format!(" {v}")).unwrap_or_default());
            }
        }
    }

    /// One entry of a list (`- 番号: …` and the rest of its keys under it).
    fn entry(&mut self, keys: &'static [Key], indent: usize, number: usize) {
        let mut body = Emitter { r: self.r, out: String::new(), path: self.path.clone(), explained: std::mem::take(&mut self.explained), number };
        body.map(keys, indent + 2);
        self.explained = body.explained;
        // The first key's line carries the `- `; comments before it stay at the list's indent.
        let mut dashed = false;
        for line in body.out.lines() {
            let text = &line[(indent + 2).min(line.len())..];
            if !dashed && text.starts_with('#') {
                let _ = writeln!(self.out, "{}{text}", " ".repeat(indent));
            } else if !dashed {
                let _ = writeln!(self.out, "{}- {text}", " ".repeat(indent));
                dashed = true;
            } else {
                let _ = writeln!(self.out, "{line}");
            }
        }
    }
}

impl Emitter<'_> {
    /// The comment above a key, the first time its path is written: what it is for (`HELP`),
    /// the values it takes from plan.yaml, and its label on the sheet when that differs.
    fn comment(&mut self, k: &Key, pad: &str) {
        if !self.explained.insert(self.path.clone()) {
            return;
        }
        let plan = self.r.plan;
        let mut parts: Vec<String> = Vec::new();
        if let Some((_, help)) = HELP.iter().filter(|(p, _)| self.path.ends_with(p)).max_by_key(|(p, _)| p.len()) {
            parts.push((*help).to_owned());
        }
        match k.kind {
            Kind::Grade(kind) => parts.push(format!("記号で書きます ({}: {})。", kind.key(), grades(plan, kind))),
            Kind::Category => parts.push(format!("どれか 1 つを書きます: {}。", plan.categories.join("、"))),
            Kind::Choice(words) => parts.push(format!("書ける値: {}。", words.join("、"))),
            _ => {}
        }
        if k.label != k.key {
            parts.push(format!("シートでは「{}」の欄です。", k.label));
        }
        if !parts.is_empty() {
            let _ = writeln!(self.out, "{pad}# {}", parts.concat());
        }
    }

    /// The value written after a key, if any: the item's number, its pillar, an initiative's
    /// number, and `""` for the other required texts (left to fill in).
    fn scalar(&self, k: &Key) -> Option<String> {
        let r = self.r;
        if self.path == [ITEM] {
            Some(double_quoted(r.item))
        } else if self.path == [PILLAR] {
            pillar_of(r.plan, r.item).map(|n| n.to_string())
        } else if self.path == [INITIATIVES, NUMBER] {
            Some(double_quoted(&format!("{}-{}", r.item, self.number)))
        } else if k.required && matches!(k.kind, Kind::Str) {
            Some("\"\"".to_owned())
        } else {
            None
        }
    }
}

/// The pillar an item number belongs to: its first part (`3` of `3-2`) when the plan has that
/// pillar, else the plan's first.
pub fn pillar_of(plan: &Plan, item: &str) -> Option<i64> {
    let head = crate::number::half_width(item.split(['-', '－', 'ー']).next().unwrap_or(""));
    head.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| plan.pillar_name(*n).is_some())
        .or_else(|| plan.pillars.first().map(|(n, _)| *n))
}

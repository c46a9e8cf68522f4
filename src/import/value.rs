//! Checking and reading one input cell's value: texts (a paragraph, or `・` bullet lines),
//! numbers as people type them (`1,200`, `１２００`, `1200千円`), and grades by letter or name
//! (`A`, `Ａ`, `A：計画どおり`, `計画どおり`).

use super::workbook::Cell;
use crate::collect::{Field, FieldKind, FieldValue, format_number};
use crate::font::{self, Weight};
use crate::model::*;
use crate::yaml_edit::NewValue;

pub use crate::number::{half_width, parse_number};

/// A text as typed: line ends unified, trailing blanks of each line and blank lines at both
/// ends removed.
pub(crate) fn clean_text(s: &str) -> String {
    let s = s
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace("_x000D_", "");
    let lines: Vec<&str> = s.split('\n').map(|l| l.trim_end()).collect();
    lines.join("\n").trim_matches('\n').trim_end().to_owned()
}

/// Bullet points when every line starts with `・`, one paragraph otherwise.
pub(crate) fn text_value(s: &str) -> Text {
    let lines: Vec<&str> = s.split('\n').filter(|l| !l.trim().is_empty()).collect();
    if !lines.is_empty() && lines.iter().all(|l| l.trim_start().starts_with('・')) {
        Text::Bullets(
            lines
                .iter()
                .map(|l| l.trim_start().trim_start_matches('・').trim().to_owned())
                .collect(),
        )
    } else {
        Text::Para(s.to_owned())
    }
}

/// The number a %-formatted cell shows: 0.5 → 50. The product is rounded to 15 significant
/// digits, so that 0.07 gives 7 and not 7.000000000000001.
pub fn percent_of(n: f64) -> f64 {
    let v = n * 100.0;
    format!("{v:.14e}").parse().unwrap_or(v)
}

/// `%` or `％` (with spaces around).
fn is_percent_unit(unit: &str) -> bool {
    half_width(unit).trim() == "%"
}

/// The letter a grade cell starts with: `A`, `Ａ`, `a`, or `A` followed by a separator and
/// anything (`A：計画どおり`, `A:旧名`, `A 計画どおり`), when the scale has that letter.
pub fn grade_letter(s: &str, scale: &Scale) -> Option<String> {
    let t = half_width(s).trim().to_owned();
    let find_letter = |l: &str| {
        scale
            .grades
            .iter()
            .find(|(g, _)| g.eq_ignore_ascii_case(l))
            .map(|(g, _)| g.clone())
    };
    if let Some(g) = find_letter(&t) {
        return Some(g);
    }
    for sep in [':', ' ', '.', ')'] {
        if let Some((letter, _)) = t.split_once(sep)
            && let Some(g) = find_letter(letter.trim())
        {
            return Some(g);
        }
    }
    None
}

/// Reads a grade: its letter (any width or case), `A：name`, `A:name`, `A name`, or its name.
///
/// Grades are matched by their letter. `A：name` is A when `name` is A's name, and also when
/// it is no grade's name in the plan at all: the grade was renamed in plan.yaml after the book
/// was made, and the book's list still offers `A：旧名`. It is refused when `name` is the name
/// of another grade (`A：概ね計画どおり`) or of a grade of another scale (`all_names`): letter
/// and name then say different things.
pub fn parse_grade(s: &str, scale: &Scale, all_names: &[String]) -> Option<String> {
    let t = half_width(s).trim().to_owned();
    if let Some(g) = scale.grades.iter().find(|(g, _)| g.eq_ignore_ascii_case(&t)) {
        return Some(g.0.clone());
    }
    if let Some(g) = grade_letter(&t, scale) {
        let named = half_width(scale.name_of(&g).unwrap_or_default());
        let name = [':', ' ', '.', ')']
            .iter()
            .find_map(|sep| t.split_once(*sep).filter(|(l, _)| l.trim().eq_ignore_ascii_case(&g)))
            .map_or("", |(_, n)| n)
            .trim();
        let known = all_names.iter().any(|n| half_width(n) == name);
        if name.is_empty() || name == named || !known {
            return Some(g);
        }
        return None;
    }
    scale
        .grades
        .iter()
        .find(|(_, n)| half_width(n) == t)
        .map(|(g, _)| g.clone())
}

/// Every grade name of the plan's scales, for `parse_grade`.
pub fn grade_names(plan: &Plan) -> Vec<String> {
    [&plan.self_evaluation, &plan.next_years, &plan.internal]
        .iter()
        .flat_map(|s| s.grades.iter().map(|(_, n)| n.clone()))
        .collect()
}

/// The value of an input cell: `Ok(None)` when the cell is empty (nothing changes), the value
/// otherwise, or a message saying why it cannot be used.
pub fn read(
    cell: &Cell,
    field: Field,
    plan: &Plan,
    unit: &str,
    current: &FieldValue,
) -> Result<Option<FieldValue>, String> {
    let text = match cell {
        Cell::Empty => return Ok(None),
        Cell::Other(what) => return Err(format!("{what} は入力できません")),
        Cell::Uncached => {
            return Err("数式の計算結果がブックに保存されていません。Excel で開いて保存し直すか、値を直接入力してください".into());
        }
        Cell::Number(n) => match field.kind() {
            FieldKind::Amount => return Ok(Some(FieldValue::Amount(Amount::Number(*n)))),
            _ => format_number(*n),
        },
        // Shown as `50%`: the clerk typed 50 with a % sign.
        Cell::Percent(n) => {
            let shown = percent_of(*n);
            match field.kind() {
                FieldKind::Amount => {
                    let unit = match field {
                        Field::Effect => EFFECT_UNIT,
                        _ => unit,
                    };
                    if is_percent_unit(unit) {
                        return Ok(Some(FieldValue::Amount(Amount::Number(shown))));
                    }
                    let unit_said = if unit.trim().is_empty() {
                        "この欄には単位がありません".to_owned()
                    } else {
                        format!("この欄の単位は「{unit}」です")
                    };
                    return Err(format!(
                        "セルの書式がパーセント (%) のため「{}%」と表示されていますが、{unit_said}。% の書式をやめて、数値を入力してください",
                        format_number(shown)
                    ));
                }
                _ => format!("{}%", format_number(shown)),
            }
        }
        Cell::Text(s) => clean_text(s),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    if let Some((_, c)) = font::missing_chars(&text, Weight::Regular).next() {
        return Err(format!(
            "文字「{c}」(U+{:04X}) はフォント BIZ UDゴシックにないため印刷できません。別の文字に置き換えてください",
            c as u32
        ));
    }
    match field.kind() {
        FieldKind::Text => Ok(Some(FieldValue::Text(text_value(&text)))),
        FieldKind::Grade(kind) => {
            let scale = plan.scale(kind);
            parse_grade(&text, scale, &grade_names(plan))
                .map(|g| Some(FieldValue::Grade(g)))
                .ok_or_else(|| {
                    let choices: Vec<String> =
                        scale.grades.iter().map(|(l, _)| scale.label(l)).collect();
                    format!(
                        "「{text}」は{}の区分にありません (使える値: {})",
                        kind.key(),
                        choices.join("、")
                    )
                })
        }
        FieldKind::Amount => {
            let units: Vec<&str> = match field {
                Field::Effect => vec![EFFECT_UNIT],
                _ => vec![unit],
            };
            if let Some(n) = parse_number(&text, &units) {
                return Ok(Some(FieldValue::Amount(Amount::Number(n))));
            }
            // A text written so in the YAML (e.g. `60団体以上`) comes back unchanged.
            let as_text = FieldValue::Amount(Amount::Text(text.clone()));
            if as_text.canonical() == current.canonical() {
                return Ok(Some(as_text));
            }
            let unit_note = if units.iter().all(|u| u.is_empty()) {
                String::new()
            } else {
                format!(
                    " (単位 {} は付けても付けなくてもかまいません)",
                    units.join("")
                )
            };
            Err(format!(
                "「{text}」は数値として読めません。数字で入力してください{unit_note}"
            ))
        }
    }
}

/// The value to write into the YAML.
pub fn new_value(v: &FieldValue) -> Option<NewValue> {
    Some(match v {
        FieldValue::Empty => return None,
        FieldValue::Text(Text::Empty) => return None,
        FieldValue::Text(Text::Para(s)) => NewValue::Str(s.clone()),
        FieldValue::Text(Text::Bullets(b)) => NewValue::List(b.clone()),
        FieldValue::Amount(Amount::Number(n)) if n.fract() == 0.0 && n.abs() < 9e15 => {
            NewValue::Int(*n as i64)
        }
        FieldValue::Amount(Amount::Number(n)) => NewValue::Float(*n),
        FieldValue::Amount(Amount::Text(s)) => NewValue::Str(s.clone()),
        FieldValue::Grade(g) => NewValue::Str(g.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale() -> Scale {
        Scale {
            grades: vec![
                ("A".into(), "計画どおり".into()),
                ("B".into(), "概ね計画どおり".into()),
            ],
        }
    }

    #[test]
    fn numbers_as_people_type_them() {
        assert_eq!(parse_number("1,200", &["千円"]), Some(1200.0));
        assert_eq!(parse_number("１２００", &["千円"]), Some(1200.0));
        assert_eq!(parse_number("1200千円", &["千円"]), Some(1200.0));
        assert_eq!(parse_number(" １，２００ 千円 ", &["千円"]), Some(1200.0));
        assert_eq!(parse_number("-3.5", &[""]), Some(-3.5));
        assert_eq!(parse_number("▲1,500千円", &["千円"]), Some(-1500.0));
        assert_eq!(parse_number("△２０", &["千円"]), Some(-20.0));
        assert_eq!(parse_number("37団体数", &["団体数"]), Some(37.0));
        assert_eq!(parse_number("約100", &["千円"]), None);
        assert_eq!(parse_number("12件", &["団体数"]), None);
        assert_eq!(parse_number("", &[]), None);
    }

    #[test]
    fn percent_cells_are_read_as_shown() {
        assert_eq!(percent_of(0.5), 50.0);
        assert_eq!(percent_of(0.07), 7.0);
        assert_eq!(percent_of(0.123), 12.3);
        assert_eq!(percent_of(1.0), 100.0);
        assert!(is_percent_unit("％"));
        assert!(!is_percent_unit("千円"));
    }

    #[test]
    fn grades_by_letter_or_name() {
        let s = scale();
        let names: Vec<String> = vec!["計画どおり".into(), "概ね計画どおり".into(), "継続実施".into()];
        for v in [
            "A",
            "a",
            "Ａ",
            "A：計画どおり",
            "A:計画どおり",
            "A 計画どおり",
            "計画どおり",
        ] {
            assert_eq!(parse_grade(v, &s, &names).as_deref(), Some("A"), "{v}");
        }
        assert_eq!(parse_grade("B：概ね計画どおり", &s, &names).as_deref(), Some("B"));
        // A name no grade has now (renamed in plan.yaml since): the letter decides.
        assert_eq!(parse_grade("A：旧い名前", &s, &names).as_deref(), Some("A"));
        assert_eq!(grade_letter("Ａ：概ね計画どおり", &s).as_deref(), Some("A"));
        // Letter and name of two grades, a name of another scale, a name alone that no grade
        // has: refused.
        for v in ["C", "A：概ね計画どおり", "A：継続実施", "順調", "AB"] {
            assert_eq!(parse_grade(v, &s, &names), None, "{v}");
        }
    }

    #[test]
    fn texts_become_paragraphs_or_bullets() {
        assert_eq!(
            text_value("・a\n・b"),
            Text::Bullets(vec!["a".into(), "b".into()])
        );
        assert_eq!(text_value("a\n・b"), Text::Para("a\n・b".into()));
        assert_eq!(clean_text("a  \r\nb\r\n\r\n"), "a\nb");
    }
}

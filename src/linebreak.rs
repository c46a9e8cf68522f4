//! Japanese line breaking: UAX #14 break opportunities (unicode-linebreak), tailored for
//! kinsoku shori, then greedy filling of lines to a width.
//!
//! Tailoring on top of UAX #14:
//! - no line starts with closing punctuation, `・`, `ー`, iteration marks or small kana;
//! - no line ends with opening brackets;
//! - digit runs (ASCII or full-width, with `,` `.` inside) are never broken, nor is a number
//!   separated from the one or two characters of its unit (`50団体`, `１００件`, `30%`);
//! - a counting prefix (`第`, `約`, `計`, `全`) stays with the number that follows it
//!   (`第12段落`, `約３割`);
//! - a run that is wider than the line is broken between characters, still without starting a
//!   line with a character of the no-start set where another split is possible.

use unicode_linebreak::{BreakOpportunity, linebreaks};

/// Characters that must not start a line.
pub fn is_no_start(c: char) -> bool {
    matches!(c,
        '。' | '、' | '，' | '．' | ',' | '.' | ':' | ';' | '!' | '?' | '%' | ')' | ']' | '}'
        | '」' | '』' | '）' | '］' | '｝' | '〕' | '〉' | '》' | '】' | '〙' | '〗' | '｣' | '’' | '”'
        | '・' | '･' | 'ー' | 'ｰ' | '～' | '〜' | '‐' | '゠' | '–'
        | '！' | '？' | '：' | '；' | '％' | '‰' | '℃' | '°'
        | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ' | '々' | '〻'
        | 'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ' | 'っ' | 'ゃ' | 'ゅ' | 'ょ' | 'ゎ' | 'ゕ' | 'ゖ'
        | 'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ッ' | 'ャ' | 'ュ' | 'ョ' | 'ヮ' | 'ヵ' | 'ヶ'
        | 'ｧ' | 'ｨ' | 'ｩ' | 'ｪ' | 'ｫ' | 'ｯ' | 'ｬ' | 'ｭ' | 'ｮ'
        | '\u{31F0}'..='\u{31FF}')
}

/// Characters that must not end a line.
pub fn is_no_end(c: char) -> bool {
    matches!(c, '「' | '『' | '（' | '［' | '｛' | '〔' | '〈' | '《' | '【' | '〘' | '〖' | '｢'
        | '(' | '[' | '{' | '‘' | '“')
}

/// Prefixes that belong to the number after them: `第12段落`, `約３割`, `計5件`, `全10回`.
pub fn is_number_prefix(c: char) -> bool {
    matches!(c, '第' | '約' | '計' | '全')
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Allowed break positions (byte offsets into `s`, excluding 0 and `s.len()`), and whether each
/// is mandatory.
fn break_points(s: &str) -> Vec<(usize, bool)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    // Break positions come in increasing order: `i` follows them through `chars`.
    let mut i = 0;
    for (pos, op) in linebreaks(s) {
        if pos == 0 || pos >= s.len() {
            continue;
        }
        while chars[i].0 < pos {
            i += 1;
        }
        let (before, after) = (chars[i - 1].1, chars[i].1);
        let mandatory = op == BreakOpportunity::Mandatory;
        if !mandatory && !may_break_between(&chars, i, before, after) {
            continue;
        }
        out.push((pos, mandatory));
    }
    out
}

/// The kinsoku and number tailoring for a break between `chars[i-1]` and `chars[i]`.
fn may_break_between(chars: &[(usize, char)], i: usize, before: char, after: char) -> bool {
    if is_no_start(after) || is_no_end(before) {
        return false;
    }
    // A counting prefix and its number.
    if is_number_prefix(before) && is_digit(after) {
        return false;
    }
    // Inside a number: digits and the separators between digits.
    if is_digit(before) && (is_digit(after) || matches!(after, ',' | '.' | '，' | '．')) {
        return false;
    }
    if matches!(before, ',' | '.' | '，' | '．') && is_digit(after) && i >= 2 && is_digit(chars[i - 2].1) {
        return false;
    }
    // A number and the first two characters of its unit.
    let unit_char = |c: char| !c.is_whitespace() && !is_digit(c) && !is_no_end(c) && !matches!(c, '、' | '。' | '，' | ',');
    if is_digit(before) && unit_char(after) && !after.is_ascii_punctuation() {
        return false;
    }
    if i >= 2 && is_digit(chars[i - 2].1) && unit_char(before) && unit_char(after)
        && !before.is_ascii_punctuation() && !after.is_ascii_punctuation()
        && !is_kana(after)
    {
        return false;
    }
    true
}

fn is_kana(c: char) -> bool {
    ('\u{3041}'..='\u{30FF}').contains(&c)
}

/// Breaks one paragraph into lines no wider than `max_width`, as measured by `width`.
/// Line breaks in the text are kept. Trailing spaces do not count and are dropped.
/// `width` must not grow when text is joined (`width(a + b) <= width(a) + width(b)`), as a
/// sum of glyph advances does.
pub fn break_lines(s: &str, max_width: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n') {
        break_paragraph(para.trim_end_matches('\r'), max_width, width, &mut lines);
    }
    lines
}

fn break_paragraph(s: &str, max_width: f32, width: &dyn Fn(&str) -> f32, lines: &mut Vec<String>) {
    // A paragraph that fits is one line: the greedy filling below would give the same, since
    // every prefix is no wider than the whole. Most cells are short; this skips finding their
    // break opportunities.
    if s.is_empty() || width(s) <= max_width {
        lines.push(s.trim_end().to_owned());
        return;
    }
    let mut cuts: Vec<usize> = break_points(s).into_iter().map(|(p, _)| p).collect();
    cuts.push(s.len());
    // The line being filled is always a slice of `s`: `s[line..start]`. Measuring slices
    // instead of building candidate strings keeps this free of allocations.
    let mut line = 0;
    let mut start = 0;
    // An upper bound of the line's width, summed segment by segment: while it stays clearly
    // below the limit, a segment fits without measuring the whole line again (the exact
    // measurement decides only near the limit, so the result is the same).
    let margin = max_width.abs() * 1e-4 + 1e-3;
    let mut bound = 0.0f32;
    for end in cuts {
        let seg_start = start;
        start = end;
        let seg_w = width(&s[seg_start..end]);
        if bound + seg_w <= max_width - margin {
            bound += seg_w;
            continue;
        }
        if width(s[line..end].trim_end()) <= max_width {
            bound = width(&s[line..end]);
            continue;
        }
        if line < seg_start {
            lines.push(s[line..seg_start].trim_end().to_owned());
        }
        let mut seg = &s[seg_start..end];
        if !lines.is_empty() {
            seg = seg.trim_start();
        }
        if width(seg.trim_end()) <= max_width {
            line = end - seg.len();
            bound = width(seg);
        } else {
            // Too wide for any line: break between characters; the last piece goes on.
            let mut pieces = break_chars(seg, max_width, width);
            let last = pieces.pop().unwrap_or_default();
            lines.extend(pieces);
            line = end - last.len();
            bound = width(&last);
        }
    }
    lines.push(s[line..].trim_end().to_owned());
}

/// Character-level breaking of a run wider than a line, avoiding a no-start character at the
/// start of a line by carrying the character before it along.
fn break_chars(s: &str, max_width: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    // Byte offset of each character, and of the end.
    let offs: Vec<usize> = s.char_indices().map(|(b, _)| b).chain([s.len()]).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut j = i + 1;
        while j < chars.len() && width(&s[offs[i]..offs[j + 1]]) <= max_width {
            j += 1;
        }
        // chars[i..j] fits (at least one character, even if it alone is wider).
        if j < chars.len() {
            let mut k = j;
            let bad = |k: usize| is_no_start(chars[k]) || is_no_end(chars[k - 1]) || (is_number_prefix(chars[k - 1]) && is_digit(chars[k]));
            while k > i + 1 && bad(k) {
                k -= 1;
            }
            if k > i + 1 || !bad(j) {
                j = k;
            }
        }
        out.push(s[offs[i]..offs[j]].to_owned());
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> f32 {
        s.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum()
    }

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        let lines = break_lines("あいうえお。かきくけこ", 5.0, &w);
        assert_eq!(lines, vec!["あいうえ", "お。かきく", "けこ"]);
    }

    #[test]
    fn small_kana_stays_with_preceding() {
        let lines = break_lines("あいうえっと", 4.0, &w);
        assert!(lines.iter().all(|l| !l.starts_with('っ')), "{lines:?}");
    }

    #[test]
    fn numbers_with_units_stay_together() {
        let lines = break_lines("加入団体は50団体です", 6.0, &w);
        assert!(lines.iter().any(|l| l.contains("50団体")), "{lines:?}");
        let lines = break_lines("あいうえ１００件", 5.0, &w);
        assert!(lines.iter().any(|l| l.contains("１００")), "{lines:?}");
    }

    #[test]
    fn counting_prefixes_stay_with_their_number() {
        for prefix in ["第", "約", "計", "全"] {
            let text = format!("あいうえおかきく{prefix}12段落のとおり{prefix}３割を進める");
            for width in 3..12 {
                let lines = break_lines(&text, width as f32, &w);
                assert_eq!(lines.concat(), text);
                assert!(lines.iter().all(|l| !l.ends_with(prefix)), "{prefix} at a line end (width {width}): {lines:?}");
            }
        }
    }

    #[test]
    fn overlong_run_breaks_by_character() {
        let lines = break_lines("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3.0, &w);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| w(l) <= 3.0), "{lines:?}");
        assert_eq!(lines.concat(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }
}

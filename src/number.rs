//! Numbers as people type them, in a YAML sheet or a workbook cell: full-width digits,
//! thousands separators, a unit after the number, and `▲`/`△` for minus. One reading for
//! both paths (load and import), so a value means the same wherever it was typed.

/// Full-width ASCII (`Ａ１２，`) to ASCII, and the ideographic space to a space.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{2013}' => '-',
            c => c,
        })
        .collect()
}

/// Reads a number typed with commas, full-width digits, spaces, a unit after it, and `▲`/`△`
/// for minus.
pub fn parse_number(s: &str, units: &[&str]) -> Option<f64> {
    let mut t: String = half_width(s)
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '、'))
        .collect();
    for u in units.iter().filter(|u| !u.is_empty()) {
        let u = half_width(u).replace(' ', "");
        if let Some(stripped) = t.strip_suffix(u.as_str()) {
            t = stripped.to_owned();
            break;
        }
    }
    // ▲ and △ mark a negative amount in Japanese public accounts.
    if let Some(rest) = t.strip_prefix(['▲', '△']) {
        t = format!("-{rest}");
    }
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers() {
        assert_eq!(parse_number("１５", &[]), Some(15.0));
        assert_eq!(parse_number("1,234", &[]), Some(1234.0));
        assert_eq!(parse_number("▲120", &[]), Some(-120.0));
        assert_eq!(parse_number("△1,200千円", &["千円"]), Some(-1200.0));
        assert_eq!(parse_number("60団体以上", &[]), None);
        assert_eq!(parse_number("-", &[]), None);
        assert_eq!(parse_number("", &[]), None);
    }
}

//! Japanese era names for fiscal years: `令和3年度(2021年度)` and `R3`.
//!
//! A fiscal year (年度) starts in April; it takes the era in force on 1 April of that year, so
//! fiscal 2019 (April 2019 – March 2020) is 令和元年度.

/// (first fiscal year, era name, initial).
const ERAS: &[(i32, &str, &str)] = &[
    (2019, "令和", "R"),
    (1989, "平成", "H"),
    (1926, "昭和", "S"),
    (1912, "大正", "T"),
    (1868, "明治", "M"),
];

fn era(year: i32) -> Option<(&'static str, &'static str, i32)> {
    ERAS.iter()
        .find(|(start, _, _)| year >= *start)
        .map(|(start, name, initial)| (*name, *initial, year - start + 1))
}

/// Reads a fiscal year as staff write it: `2022`, `２０２２`, `2022年度`, `R4`, `令和4`,
/// `令和4年度`, `令和元年度`, `H30`, `平成30年度` (full-width letters and digits too). The error
/// is a Japanese sentence listing the forms.
pub fn parse_year(s: &str) -> Result<i32, String> {
    let t = crate::number::half_width(s);
    let t = t.trim();
    let t = t.strip_suffix("年度").unwrap_or(t).trim();
    if let Ok(y) = t.parse::<i32>()
        && (1868..=2200).contains(&y)
    {
        return Ok(y);
    }
    for (start, name, initial) in ERAS {
        let lower = initial.to_ascii_lowercase();
        for prefix in [*name, *initial, lower.as_str()] {
            let Some(rest) = t.strip_prefix(prefix) else { continue };
            let rest = rest.trim();
            let n = if rest == "元" { Some(1) } else { rest.parse::<i32>().ok().filter(|n| *n >= 1) };
            if let Some(n) = n {
                return Ok(start - 1 + n);
            }
        }
    }
    Err(format!("年度「{s}」を読めません。2022、R4、令和4、令和4年度、令和元年度、H30、平成30年度 のように書いてください"))
}

/// `令和3年度(2021年度)`; `令和元年度(2019年度)` for an era's first year.
pub fn long_label(year: i32) -> String {
    match era(year) {
        Some((name, _, 1)) => format!("{name}元年度({year}年度)"),
        Some((name, _, n)) => format!("{name}{n}年度({year}年度)"),
        None => format!("{year}年度"),
    }
}

/// `令和3年度`, `令和元年度`: the era year alone.
pub fn era_label(year: i32) -> String {
    match era(year) {
        Some((name, _, 1)) => format!("{name}元年度"),
        Some((name, _, n)) => format!("{name}{n}年度"),
        None => format!("{year}年度"),
    }
}

/// `R3`, `R1`, `H30`.
pub fn short_label(year: i32) -> String {
    match era(year) {
        Some((_, initial, n)) => format!("{initial}{n}"),
        None => year.to_string(),
    }
}

/// What `short_label` abbreviates: `令和3年度`, `令和元年度`, `平成30年度`.
pub fn short_expansion(year: i32) -> String {
    match era(year) {
        Some((name, _, 1)) => format!("{name}元年度"),
        Some((name, _, n)) => format!("{name}{n}年度"),
        None => format!("{year}年度"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_as_staff_write_them() {
        for (typed, year) in [("2022", 2022), ("２０２２", 2022), ("2022年度", 2022), ("R4", 2022), ("ｒ４", 2022), ("令和4", 2022), ("令和4年度", 2022), ("令和元年度", 2019), ("H30", 2018), ("平成30年度", 2018), ("平成31年度", 2019)] {
            assert_eq!(parse_year(typed), Ok(year), "{typed}");
        }
        for bad in ["", "R", "令和", "二〇二二", "2022-23", "R0"] {
            assert!(parse_year(bad).unwrap_err().contains("令和4年度"), "{bad}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(long_label(2021), "令和3年度(2021年度)");
        assert_eq!(long_label(2019), "令和元年度(2019年度)");
        assert_eq!(long_label(2018), "平成30年度(2018年度)");
        assert_eq!(long_label(1989), "平成元年度(1989年度)");
        assert_eq!(short_label(2021), "R3");
        assert_eq!(short_label(2019), "R1");
        assert_eq!(short_label(2018), "H30");
        assert_eq!(short_expansion(2021), "令和3年度");
        assert_eq!(short_expansion(2019), "令和元年度");
        assert_eq!(short_expansion(2018), "平成30年度");
    }
}

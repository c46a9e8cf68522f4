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

use super::*;
use crate::yaml_tree;

fn order(_: &[Seg], key: &str) -> Option<usize> {
    [
        "取組目標",
        "活動",
        "実績",
        "自己評価",
        "評価理由",
        "次年度以降",
        "方向性・課題",
        "説明",
        "目標",
    ]
    .iter()
    .position(|k| *k == key)
}

fn edit(text: &str, changes: &[(&[&str], NewValue)]) -> String {
    let root = yaml_tree::parse(text).unwrap();
    let changes: Vec<Change> = changes
        .iter()
        .map(|(p, v)| Change {
            path: p
                .iter()
                .map(|s| match s.strip_prefix('#') {
                    Some(i) => Seg::Index(i.parse().unwrap()),
                    None => Seg::key(*s),
                })
                .collect(),
            value: v.clone(),
        })
        .collect();
    apply(text, &root, &changes, &order)
        .unwrap_or_else(|e| panic!("{e}\n{}", dbg_apply(text, &root, &changes)))
}

fn s(v: &str) -> NewValue {
    NewValue::Str(v.into())
}

#[test]
fn replaces_a_plain_scalar_keeping_comments() {
    let t = "# head\na:\n  b: old # note\n\n  c: 1\n";
    assert_eq!(
        edit(t, &[(&["a", "b"], s("新しい"))]),
        "# head\na:\n  b: 新しい # note\n\n  c: 1\n"
    );
}

#[test]
fn replaces_quoted_and_block_scalars() {
    let t = "a: \"\"\nb: >-\n  long\n  text\nc: x\n";
    let out = edit(t, &[(&["a"], s("3-2")), (&["b"], s("one\ntwo"))]);
    assert_eq!(out, "a: \"3-2\"\nb: |-\n  one\n  two\nc: x\n");
}

#[test]
fn replaces_a_list_by_a_paragraph_and_back() {
    let t = "years:\n  r:\n    - a\n    - b\n  # keep\n  s: t\n";
    let out = edit(
        t,
        &[
            (&["years", "r"], s("p")),
            (
                &["years", "s"],
                NewValue::List(vec!["x".into(), "y: z".into()]),
            ),
        ],
    );
    assert_eq!(
        out,
        "years:\n  r: p\n  # keep\n  s:\n    - x\n    - \"y: z\"\n"
    );
}

#[test]
fn inserts_keys_in_order_in_block_mappings() {
    let t = "2022:\n  取組目標: g\n  活動: a\n  方向性・課題: d\n";
    let out = edit(
        t,
        &[(&["2022", "実績"], s("r")), (&["2022", "評価理由"], s("q"))],
    );
    assert_eq!(
        out,
        "2022:\n  取組目標: g\n  活動: a\n  実績: r\n  評価理由: q\n  方向性・課題: d\n"
    );
    let out = edit(t, &[(&["2022", "zz"], s("end"))]);
    assert_eq!(
        out,
        "2022:\n  取組目標: g\n  活動: a\n  方向性・課題: d\n  zz: end\n"
    );
}

#[test]
fn inserts_into_flow_mappings() {
    let t = "m: {取組目標: *x, 活動: b}\ne: {}\nf: {2021: 37}\n";
    let t = format!("x: &x g\n{t}");
    let out = edit(
        &t,
        &[
            (&["m", "実績"], s("a, b")),
            (&["e", "2022"], NewValue::Int(1200)),
            (&["f", "2022"], NewValue::Float(2.5)),
        ],
    );
    assert_eq!(
        out,
        "x: &x g\nm: {取組目標: *x, 活動: b, 実績: \"a, b\"}\ne: {2022: 1200}\nf: {2021: 37, 2022: 2.5}\n"
    );
}

#[test]
fn a_flow_mapping_getting_multi_line_text_becomes_a_block() {
    let t = "g: &g x\nyears:\n  2022: &p {取組目標: *g, 活動: \"a\"} # c\n  2023: *p\n";
    let out = edit(t, &[(&["years", "2022", "実績"], s("one\ntwo"))]);
    assert_eq!(
        out,
        "g: &g x\nyears:\n  2022: # c\n    取組目標: *g\n    活動: a\n    実績: |-\n      one\n      two\n  2023: &p\n    取組目標: *g\n    活動: a\n"
    );
    // Inside a flow context it stays flow.
    let t = "m: {k: {活動: a}}\n";
    let out = edit(
        t,
        &[(&["m", "k", "実績"], NewValue::List(vec!["p".into()]))],
    );
    assert_eq!(out, "m: {k: {活動: a, 実績: [p]}}\n");
}

#[test]
fn materialises_an_alias_for_one_year_only() {
    let t = "years:\n  2022: &p\n    取組目標: g\n    活動: a\n  2023: *p\n  2024: *p\n";
    let out = edit(t, &[(&["years", "2023", "実績"], s("done"))]);
    assert_eq!(
        out,
        "years:\n  2022: &p\n    取組目標: g\n    活動: a\n  2023:\n    取組目標: g\n    活動: a\n    実績: done\n  2024: *p\n"
    );
}

#[test]
fn changing_an_anchored_year_moves_the_anchor_to_the_next_alias() {
    let t = "years:\n  2022: &p\n    取組目標: g\n  2023: *p\n  2024: *p\n";
    let out = edit(t, &[(&["years", "2022", "実績"], s("r"))]);
    assert_eq!(
        out,
        "years:\n  2022:\n    取組目標: g\n    実績: r\n  2023: &p\n    取組目標: g\n  2024: *p\n"
    );
    let t = "a: &x old\nb: *x\nc: *x\n";
    let out = edit(t, &[(&["a"], s("new"))]);
    assert_eq!(out, "a: new\nb: &x old\nc: *x\n");
}

#[test]
fn keeps_inner_aliases_when_copying() {
    let t = "g: &g [a, b]\nyears:\n  2022: &p {取組目標: *g, 活動: x}\n  2023: *p\n";
    let out = edit(t, &[(&["years", "2023", "自己評価"], s("A"))]);
    assert_eq!(
        out,
        "g: &g [a, b]\nyears:\n  2022: &p {取組目標: *g, 活動: x}\n  2023:\n    取組目標: *g\n    活動: x\n    自己評価: A\n"
    );
}

#[test]
fn creates_missing_intermediate_mappings() {
    let t = "ini:\n  - 番号: \"1\"\n    年度別:\n      2021:\n        活動: a\n";
    let out = edit(
        t,
        &[
            (&["ini", "#0", "年度別", "2022", "実績"], s("r")),
            (&["ini", "#0", "年度別", "2022", "自己評価"], s("B")),
        ],
    );
    assert_eq!(
        out,
        "ini:\n  - 番号: \"1\"\n    年度別:\n      2021:\n        活動: a\n      2022:\n        実績: r\n        自己評価: B\n"
    );
}

#[test]
fn fills_a_null_value() {
    let t = "a:\n  b:\n  c: 1\n";
    let out = edit(t, &[(&["a", "b", "2022"], NewValue::Int(5))]);
    assert_eq!(out, "a:\n  b:\n    2022: 5\n  c: 1\n");
}

#[test]
fn keeps_crlf_line_ends() {
    let t = "a:\r\n  b: x # c\r\n  l:\r\n    - 1\r\n  e: {}\r\nz: 1\r\n";
    let out = edit(
        t,
        &[
            (&["a", "b"], s("yy")),
            (&["a", "l"], s("p\nq")),
            (&["a", "m"], s("new")),
            (&["a", "e", "2022"], NewValue::Int(3)),
        ],
    );
    assert_eq!(
        out,
        "a:\r\n  b: yy # c\r\n  l: |-\r\n    p\r\n    q\r\n  e: {2022: 3}\r\n  m: new\r\nz: 1\r\n"
    );
}

#[test]
fn handles_quoted_keys_document_markers_comments_and_no_final_newline() {
    let t = "---\n\"a\": old\n'b': x # keep\nc: # note\n  - 1\n  - 2\nd: |\n  last";
    let out = edit(
        t,
        &[
            (&["a"], s("new")),
            (&["b"], s("yy")),
            (&["c"], s("z")),
            (&["d"], s("end")),
            (&["e"], s("added")),
        ],
    );
    assert_eq!(
        out,
        "---\n\"a\": new\n'b': yy # keep\nc: z # note\nd: end\ne: added"
    );
    let out = edit(
        "c: # note\n  - 1\nd: 2\n",
        &[(&["c"], NewValue::List(vec!["x".into()]))],
    );
    assert_eq!(out, "c: # note\n  - x\nd: 2\n");
}

#[test]
fn quotes_what_would_read_back_differently() {
    for v in [
        "", " x", "true", "No", "123", "-1", "3-2-1", "a: b", "a #b", "#c", "[x]", "*a", "&a", "~",
        "x\ty", "'q'", "@x", "%x",
    ] {
        assert!(!plain_safe(v, false), "{v:?}");
        let text = format!(
            "k: {}\n",
            if plain_safe(v, false) {
                v.to_owned()
            } else {
                double_quoted(v)
            }
        );
        let root = yaml_tree::parse(&text).unwrap();
        assert_eq!(root.get("k").and_then(|n| n.as_str()), Some(v), "{text}");
    }
    for v in [
        "計画どおり",
        "A",
        "市民参加手法の活用",
        "令和4年度に実施",
        "a-b",
        "x:y",
    ] {
        assert!(plain_safe(v, false), "{v:?}");
    }
}

#[test]
fn multi_line_text_round_trips() {
    for v in ["a\nb", "a\n\nb\n", " lead\nx", "a\tb\nc", "x\n\n"] {
        let t = "k: old\n";
        let out = edit(t, &[(&["k"], s(v))]);
        let root = yaml_tree::parse(&out).unwrap();
        assert_eq!(root.get("k").and_then(|n| n.as_str()), Some(v), "{out}");
    }
}

#[test]
fn edits_the_reference_sheet_touching_only_the_changed_lines() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sheets/3-2.yaml");
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let out = edit(
        &text,
        &[
            (
                &["取組内容", "#0", "年度別", "2023", "実績"],
                s("調査を実施"),
            ),
            (
                &["取組内容", "#0", "年度別", "2021", "実績"],
                s("一行目\n二行目"),
            ),
            (&["取組内容", "#1", "年度別", "2022", "実績"], s("複数\n行")),
            (
                &["取組内容", "#1", "指標", "実績", "2022"],
                NewValue::Int(40),
            ),
            (
                &["取組内容", "#1", "年度別", "2021", "評価理由"],
                s("一つに"),
            ),
            (&["取組内容", "#3", "年度別", "2022", "自己評価"], s("B")),
        ],
    );
    let old: Vec<&str> = text.lines().collect();
    let new: Vec<&str> = out.lines().collect();
    // 3-2-1 2023 gains 3 lines for the copied mapping; 2021 実績 two more lines; 3-2-2 loses
    // two bullet lines and its 2022 flow mapping becomes 6 block lines; 3-2-4 gains one.
    assert_eq!(new.len(), old.len() + 3 + 2 - 2 + 5 + 1, "{out}");
    assert!(
        out.contains("      2023:\n        取組目標: 市民参加手法の活用により協働意識を高める\n"),
        "{out}"
    );
    assert!(out.contains("      2024: *p321\n"));
    assert!(
        out.contains("        実績: |-\n          一行目\n          二行目\n"),
        "{out}"
    );
    assert!(out.contains("      2022:\n        取組目標: *p322\n        活動: 市民活動サポートセンターのあり方の検討\n        実績: |-\n          複数\n          行\n      2023: {"), "{out}");
    assert!(out.contains("      実績: {2021: 37, 2022: 40}"), "{out}");
    assert!(
        out.contains("        自己評価: B\n        方向性・課題: 令和5年9月"),
        "{out}"
    );
    assert!(out.starts_with("# 進行管理シート 3-2"));
}

#[test]
fn every_input_place_of_the_reference_sheet_can_be_set() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sheets/3-2.yaml");
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let root = yaml_tree::parse(&text).unwrap();
    let values = [
        s("一行"),
        s("複数行の\n文章: 記号 # も"),
        NewValue::List(vec!["・a".into(), "b, c".into()]),
        NewValue::Int(1200),
        NewValue::Float(2.5),
    ];
    let mut all = Vec::new();
    for ini in 0..4 {
        for year in 2021..=2025 {
            let y = year.to_string();
            let paths: Vec<Vec<Seg>> = vec![
                vec![Seg::key("効果額"), Seg::key("実績"), Seg::key(y.clone())],
                vec![Seg::key("指標"), Seg::key("実績"), Seg::key(y.clone())],
                vec![Seg::key("年度別"), Seg::key(y.clone()), Seg::key("実績")],
                vec![
                    Seg::key("年度別"),
                    Seg::key(y.clone()),
                    Seg::key("評価理由"),
                ],
                vec![
                    Seg::key("年度別"),
                    Seg::key(y.clone()),
                    Seg::key("自己評価"),
                ],
            ];
            for (n, p) in paths.into_iter().enumerate() {
                let mut full = vec![Seg::key("取組内容"), Seg::Index(ini)];
                full.extend(p);
                for v in &values {
                    let c = Change {
                        path: full.clone(),
                        value: v.clone(),
                    };
                    let out = apply(&text, &root, std::slice::from_ref(&c), &order);
                    assert!(out.is_ok(), "{:?}: {}", c, out.unwrap_err());
                }
                all.push(Change {
                    path: full,
                    value: values[(ini + year as usize + n) % values.len()].clone(),
                });
            }
        }
    }
    // All at once.
    let out = apply(&text, &root, &all, &order)
        .unwrap_or_else(|e| panic!("{e}\n{}", dbg_apply(&text, &root, &all)));
    assert!(out.starts_with("# 進行管理シート 3-2"));
    assert!(out.contains("      実績: {2021: \"複数行の\\n文章: 記号 # も\", 2022: [・a, \"b, c\"], 2023: 1200, 2024: 2.5, 2025: 一行}\n"), "{out}");
    assert!(out.contains("      2025: {取組目標: *p322, 活動: 市民活動サポートセンターのあり方の検討, 実績: 1200, 自己評価: 一行, 評価理由: 2.5}\n"), "{out}");
}

#[test]
fn refuses_a_change_it_cannot_place() {
    let t = "a: text\n";
    let root = yaml_tree::parse(t).unwrap();
    let change = Change {
        path: vec![Seg::key("a"), Seg::key("b")],
        value: s("x"),
    };
    let err = apply(t, &root, &[change], &order).unwrap_err();
    assert!(err.contains("その下に値を書けません"), "{err}");
}

/// The splices and the text before the check, for a failing test's message.
fn dbg_apply(text: &str, root: &Node, changes: &[Change]) -> String {
    let mut pending = Pending::Map(Vec::new());
    for c in changes {
        pending.insert(&c.path, c.value.clone()).unwrap();
    }
    let mut ed = Editor {
        text,
        root,
        order: &order,
        splices: Vec::new(),
        modified: Vec::new(),
        materialised: Vec::new(),
    };
    ed.walk(root, &pending, &mut Vec::new(), Slot::Root, false)
        .unwrap();
    ed.keep_aliases_of_changed_anchors().unwrap();
    let s = format!("{:?}", ed.splices);
    format!("{s}\n{}", ed.finish().unwrap())
}

//! The published PDF, read back: text and labels, fonts, tags, metadata, size, determinism.

use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Document, Object};
use shinko::diag::Diagnostics;
use shinko::{layout, load, render, validate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads and validates a sheets folder, asserting it has no problems.
fn load_ok(dir: &Path) -> load::SheetSet {
    let mut diags = Diagnostics::default();
    let set = load::load_dir(dir, &mut diags).expect("sheets folder readable");
    validate::validate(&set, &mut diags);
    assert!(diags.is_empty(), "unexpected problems: {:?}", diags.list);
    set
}

fn render_item(dir: &Path, number: &str) -> Vec<u8> {
    let set = load_ok(dir);
    let plan = set.plan.as_ref().unwrap();
    let item = &set.item(number).unwrap().item;
    render::pdf::render(&layout::lay_out(plan, item)).unwrap()
}

fn strip_ws(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// All text of a PDF, decoded through the fonts' ToUnicode maps, whitespace removed.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    strip_ws(&doc.extract_text(&pages).unwrap())
}

fn reference_pdf() -> Vec<u8> {
    render_item(&root().join("sheets"), "3-2")
}

/// Every label of design/sheet-layout.md.
const LABELS: &[&str] = &[
    "項目", "改革の柱", "概要(目指す姿)", "指標", "活動指標", "成果指標", "目標", "実績", "概要", "計",
    "取組目標", "活動実績", "成果実績", "内部評価(結果要因、次年度課題等)", "外部評価",
    "取組内容", "項目名", "取組主管課", "区分", "関係計画等", "効果額", "説明", "概要(目指すもの)",
    "その他効果", "取組内容(活動)", "自己評価", "評価理由", "次年度以降", "次年度以降の取組の方向性・課題等",
];

#[test]
fn every_label_and_value_is_in_the_text() {
    let text = pdf_text(&reference_pdf());
    for label in LABELS {
        assert!(text.contains(label), "label {label} missing");
    }
    for year in ["R3", "R4", "R5", "R6", "R7"] {
        assert!(text.contains(year), "{year} missing");
    }
    for y in 3..=7 {
        let label = format!("令和{y}年度({}年度)", 2018 + y);
        assert!(text.contains(&label), "{label} missing");
    }
    for v in [
        "はだの行政サービス改革基本方針実行計画進行管理シート",
        "3-2多様な主体との協働・連携の推進",
        "3担い手をつくる改革",
        "50%", "48%", "55団体", "60団体以上",
        "B：進行強化", "C：遅れている", "A：継続実施", "B：概ね計画どおり", "A：計画どおり",
        "3-2-1.施策等に応じた市民参加手法の活用",
        "情報指令課、消防総務課",
        "目標550件", "実績0件", "目標35団体数", "目標36団体数", "目標千円",
        "・市民意見の効果的な収集・把握に向けた職員の意識や能力の向上",
        "効果額については、「柱5歳入・歳出面の改革5-1-3.ふるさと寄附金制度の充実【再掲】」に掲載",
    ] {
        assert!(text.contains(v), "{v} missing from the PDF text");
    }
}

#[test]
fn fonts_are_one_embedded_subset_family_with_tounicode() {
    let doc = Document::load_mem(&reference_pdf()).unwrap();
    let mut seen = 0;
    for (_, page) in doc.get_pages() {
        for (_, font) in doc.get_page_fonts(page).unwrap() {
            let base = String::from_utf8_lossy(font.get(b"BaseFont").unwrap().as_name().unwrap()).into_owned();
            let (prefix, name) = base.split_once('+').expect("subset prefix");
            assert_eq!(prefix.len(), 6, "{base}");
            assert!(name.starts_with("BIZUDGothic-"), "{base}");
            assert!(font.get(b"ToUnicode").is_ok(), "{base} has no ToUnicode");
            let desc = font.get(b"DescendantFonts").unwrap().as_array().unwrap()[0].as_reference().unwrap();
            let cid = doc.get_dictionary(desc).unwrap();
            let fd = doc.get_dictionary(cid.get(b"FontDescriptor").unwrap().as_reference().unwrap()).unwrap();
            assert!(fd.get(b"FontFile2").is_ok(), "{base} not embedded");
            seen += 1;
        }
    }
    assert!(seen > 0);
}

#[test]
fn tagged_with_tables_title_and_language() {
    let doc = Document::load_mem(&reference_pdf()).unwrap();
    let catalog = doc.catalog().unwrap();
    let mark = catalog.get(b"MarkInfo").unwrap();
    let mark = match mark {
        Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        o => o.as_dict().unwrap(),
    };
    assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
    assert_eq!(lang, b"ja");
    let mut kinds = std::collections::BTreeMap::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"StructElem".as_slice())
        {
            let s = String::from_utf8_lossy(d.get(b"S").unwrap().as_name().unwrap()).into_owned();
            *kinds.entry(s).or_insert(0) += 1;
        }
    }
    for k in ["Table", "TR", "TH", "TD", "THead", "TBody", "H1"] {
        assert!(kinds.get(k).copied().unwrap_or(0) > 0, "no {k} in the structure tree: {kinds:?}");
    }
    // One H2 per initiative: its visible caption where it starts (continued captions are
    // pagination artifacts).
    assert_eq!(kinds.get("H2").copied(), Some(4), "{kinds:?}");
    // Document title from the plan and the item, shown by viewers.
    let bytes = reference_pdf();
    let raw = String::from_utf8_lossy(&bytes);
    let title = "はだの行政サービス改革基本方針実行計画 進行管理シート 3-2 多様な主体との協働・連携の推進";
    let info_title = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|i| i.as_reference().ok())
        .and_then(|r| doc.get_dictionary(r).ok())
        .and_then(|d| d.get(b"Title").ok())
        .map(|t| lopdf::decode_text_string(t).unwrap());
    assert!(info_title.as_deref() == Some(title) || raw.contains(title), "title missing: {info_title:?}");
}

/// krilla validated the document against PDF/UA-1 while writing it and says so in the XMP.
#[test]
fn declares_pdf_ua_1() {
    let bytes = reference_pdf();
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("pdfuaid:part>1<") || raw.contains("pdfuaid:part=\"1\""), "no PDF/UA-1 identification");
}

#[test]
fn bookmarks_name_the_item_and_each_initiative() {
    let doc = Document::load_mem(&reference_pdf()).unwrap();
    let mut titles = Vec::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Parent").is_ok()
            && let Ok(t) = d.get(b"Title")
            && d.get(b"Dest").is_ok()
        {
            titles.push(lopdf::decode_text_string(t).unwrap());
        }
    }
    for t in [
        "3-2 多様な主体との協働・連携の推進",
        "3-2-1. 施策等に応じた市民参加手法の活用",
        "3-2-4. 秦野市・伊勢原市消防指令業務の共同運用",
    ] {
        assert!(titles.iter().any(|x| x == t), "bookmark {t} missing: {titles:?}");
    }
}

#[test]
fn small_enough_for_the_website() {
    let pdf = reference_pdf();
    let n = pdf.len();
    assert!(n < 150_000, "3-2.pdf is {n} bytes");
    // Small because the structure tree is packed into object streams.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/Type/ObjStm") && raw.contains("/Type/XRef"), "not packed");
    // Every stream but the XMP metadata is compressed, the page contents included (krilla
    // leaves those to the packer), and each one inflates back to its declared content.
    let doc = Document::load_mem(&pdf).unwrap();
    let mut contents = 0;
    for (id, obj) in &doc.objects {
        let Object::Stream(s) = obj else { continue };
        if s.dict.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Metadata".as_slice()) {
            continue;
        }
        let filter = s.dict.get(b"Filter").and_then(|f| f.as_name()).ok();
        assert_eq!(filter, Some(b"FlateDecode".as_slice()), "stream {id:?} not compressed");
        assert!(s.decompressed_content().is_ok(), "stream {id:?} does not inflate");
    }
    for page in doc.get_pages().values() {
        let ops = doc.get_and_decode_page_content(*page).unwrap().operations;
        assert!(ops.iter().any(|o| o.operator == "TJ" || o.operator == "Tj"), "page without text");
        contents += 1;
    }
    assert_eq!(contents, 6, "3-2 has 6 pages");
}

#[test]
fn same_item_twice_in_one_process_is_byte_identical() {
    assert_eq!(reference_pdf(), reference_pdf());
}

#[test]
fn two_runs_of_the_binary_give_identical_files() {
    let tmp = std::env::temp_dir().join(format!("shinko-pdf-{}", std::process::id()));
    let mut outs = Vec::new();
    for run in 0..2 {
        let out = tmp.join(format!("run{run}"));
        let status = Command::new(env!("CARGO_BIN_EXE_shinko"))
            .args(["build", "--format", "pdf", "--sheets"])
            .arg(root().join("sheets"))
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        outs.push(std::fs::read(out.join("3-2.pdf")).unwrap());
    }
    assert_eq!(outs[0], outs[1]);
    std::fs::remove_dir_all(&tmp).ok();
}

/// poppler and qpdf, as outside oracles (CI installs them; see .ci/run).
#[test]
fn poppler_and_qpdf_accept_the_file() {
    let tmp = std::env::temp_dir().join(format!("shinko-oracle-{}.pdf", std::process::id()));
    std::fs::write(&tmp, reference_pdf()).unwrap();
    let fonts = Command::new("pdffonts").arg(&tmp).output().expect("pdffonts (poppler-utils) installed");
    let fonts = String::from_utf8(fonts.stdout).unwrap();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols[0].contains("+BIZUDGothic-"), "{row}");
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "emb/sub/uni: {row}");
    }
    let info = Command::new("pdfinfo").arg(&tmp).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(info.lines().any(|l| l.starts_with("Tagged:") && l.ends_with("yes")), "{info}");
    assert!(info.contains("841.89 x 595.28 pts (A4)"), "{info}");
    let check = Command::new("qpdf").arg("--check").arg(&tmp).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    std::fs::remove_file(&tmp).ok();
}

/// The seed's text segments, as the fidelity check counts them.
#[test]
fn fidelity_against_the_seed() {
    let shared = root().join("../shared");
    let seed = shared.join("seeds/000_e37e4a880967cc03.txt");
    let tool = shared.join("tools/fidelity.py");
    assert!(seed.is_file() && tool.is_file(), "../shared is expected beside the checkout");
    let tmp = std::env::temp_dir().join(format!("shinko-fidelity-{}.pdf", std::process::id()));
    std::fs::write(&tmp, reference_pdf()).unwrap();
    let out = Command::new("python3").arg(&tool).arg(&seed).arg(&tmp).arg("--show-missing").output().unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("105/105"), "{out}");
    std::fs::remove_file(&tmp).ok();
}

#[test]
fn another_plan_renders_with_its_own_words() {
    let dir = root().join("tests/fixtures/other-plan");
    let text = pdf_text(&render_item(&dir, "2-1"));
    for v in [
        "みなと町行財政改革推進プラン取組状況報告書",
        "2-1町民参加の拡大",
        "2町民との協働",
        "平成30年度(2018年度)", "令和元年度(2019年度)", "令和2年度(2020年度)", "令和3年度(2021年度)",
        "H30", "R1", "R2", "R3",
        "II：要改善", "A：達成", "X：拡充",
        "24回", "11回", "42団体", "50団体",
        "目標1,320千円", "目標1,200千円", "実績180人",
    ] {
        assert!(text.contains(v), "{v} missing: {text}");
    }
    assert!(!text.contains("R4"), "a 4-year plan has no fifth year");
    assert!(!text.contains("はだの"), "nothing of the reference plan");
}

/// The structure elements of a PDF: (type, dictionary).
fn struct_elems(doc: &Document) -> Vec<(String, &lopdf::Dictionary)> {
    doc.objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"StructElem".as_slice()))
        .map(|d| (String::from_utf8_lossy(d.get(b"S").unwrap().as_name().unwrap()).into_owned(), d))
        .collect()
}

/// A table attribute (`/A << /O /Table … >>`) of a structure element.
fn table_attr<'a>(doc: &'a Document, d: &'a lopdf::Dictionary, key: &[u8]) -> Option<&'a Object> {
    let a = d.get(b"A").ok()?;
    let list: Vec<&Object> = match a {
        Object::Array(v) => v.iter().collect(),
        o => vec![o],
    };
    list.into_iter().find_map(|o| {
        let dict = match o {
            Object::Reference(r) => doc.get_dictionary(*r).ok()?,
            o => o.as_dict().ok()?,
        };
        dict.get(key).ok()
    })
}

#[test]
fn table_cells_have_scopes_headers_and_expansions() {
    let doc = Document::load_mem(&reference_pdf()).unwrap();
    let elems = struct_elems(&doc);
    let mut ids = std::collections::BTreeSet::new();
    let (mut columns, mut rows) = (0, 0);
    for (s, d) in &elems {
        if s == "TH" {
            let scope = table_attr(&doc, d, b"Scope").and_then(|o| o.as_name().ok()).expect("every TH has a scope");
            match scope {
                b"Column" => columns += 1,
                b"Row" => rows += 1,
                other => panic!("scope {}", String::from_utf8_lossy(other)),
            }
            ids.insert(d.get(b"ID").unwrap().as_str().unwrap().to_vec());
        }
    }
    assert!(columns >= 9 + 5 + 6 * 4 && rows > 40, "{columns} column and {rows} row headers");
    let mut with_headers = 0;
    for (s, d) in &elems {
        if s == "TD"
            && let Some(h) = table_attr(&doc, d, b"Headers")
        {
            for id in h.as_array().unwrap() {
                assert!(ids.contains(id.as_str().unwrap()), "Headers names an ID no TH has");
            }
            with_headers += 1;
        }
    }
    assert!(with_headers > 100, "{with_headers} TDs with Headers");
    // R3 … R7 carry their expansions.
    let expansions: Vec<String> = elems.iter().filter_map(|(_, d)| d.get(b"E").ok()).map(|e| lopdf::decode_text_string(e).unwrap()).collect();
    for e in ["令和3年度", "令和4年度", "令和5年度", "令和6年度", "令和7年度"] {
        assert!(expansions.iter().any(|x| x == e), "no /E {e}: {expansions:?}");
    }
}

#[test]
fn cells_read_in_visual_order_and_the_category_as_text() {
    let text = pdf_text(&reference_pdf());
    // Each block's label comes before its value, the left block before the right one.
    assert!(!text.contains("効果額効果額目標"), "a right-hand label before the left-hand value");
    assert!(text.contains("効果額目標千円効果額目標"), "効果額 row out of order");
    assert!(text.contains("区分■新規□継続") || text.contains("区分□新規■継続"), "区分 state not in the text");
    assert!(!text.contains("☑"));
}

/// PDF/A-2u and PDF/UA-1 at once, after `pdf_pack`: output intent, XMP identification with
/// extension schemas, no transparency, fonts embedded with ToUnicode.
#[test]
fn conforms_to_pdf_a_2u_and_declares_it() {
    let bytes = reference_pdf();
    let doc = Document::load_mem(&bytes).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7\n%"), "header with a binary comment");
    let catalog = doc.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap();
    let intents = match intents {
        Object::Reference(r) => doc.get_object(*r).unwrap().as_array().unwrap(),
        o => o.as_array().unwrap(),
    };
    assert_eq!(intents.len(), 1);
    let intent = match &intents[0] {
        Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        o => o.as_dict().unwrap(),
    };
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let profile = doc.get_object(intent.get(b"DestOutputProfile").unwrap().as_reference().unwrap()).unwrap().as_stream().unwrap();
    let icc = profile.decompressed_content().unwrap_or_else(|_| profile.content.clone());
    assert_eq!(&icc[36..40], b"acsp", "an ICC profile");
    assert_eq!(&icc[16..20], b"RGB ", "an RGB profile");

    // The XMP, uncompressed, with the identification and the extension schemas.
    let meta = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap().as_stream().unwrap();
    assert!(meta.dict.get(b"Filter").is_err(), "the XMP is not compressed");
    let xmp = String::from_utf8(meta.content.clone()).unwrap();
    for want in ["pdfaid:part", "pdfaid:conformance", "pdfuaid:part", "pdfaExtension:schemas", "http://www.aiim.org/pdfua/ns/id/"] {
        assert!(xmp.contains(want), "XMP lacks {want}");
    }
    let value = |key: &str| -> String {
        let i = xmp.find(&format!("<{key}>")).map(|i| i + key.len() + 2).or_else(|| xmp.find(&format!("{key}=\"")).map(|i| i + key.len() + 2)).unwrap();
        xmp[i..].chars().take_while(|c| *c != '<' && *c != '"').collect()
    };
    assert_eq!(value("pdfaid:part"), "2");
    assert_eq!(value("pdfaid:conformance"), "U");
    assert_eq!(value("pdfuaid:part"), "1");
    assert!(doc.trailer.get(b"ID").is_ok(), "PDF/A needs a file ID");

    // No transparency, every font embedded with a ToUnicode map.
    let mut fonts = 0;
    for obj in doc.objects.values() {
        let d = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if let Ok(group) = d.get(b"Group").and_then(|g| match g {
            Object::Reference(r) => doc.get_dictionary(*r),
            o => o.as_dict(),
        }) {
            assert_ne!(group.get(b"S").unwrap().as_name().unwrap(), b"Transparency");
        }
        for key in [b"CA".as_slice(), b"ca"] {
            if let Ok(v) = d.get(key) {
                assert_eq!(v.as_float().unwrap(), 1.0, "transparency");
            }
        }
        if let Ok(m) = d.get(b"SMask") {
            assert_eq!(m.as_name().ok(), Some(b"None".as_slice()), "soft mask");
        }
        assert!(d.get(b"BM").map(|b| b.as_name().unwrap() == b"Normal").unwrap_or(true));
        if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"Font".as_slice()) && d.get(b"Subtype").unwrap().as_name().unwrap() == b"Type0" {
            fonts += 1;
            assert!(d.get(b"ToUnicode").is_ok(), "a font without ToUnicode");
            let desc = d.get(b"DescendantFonts").unwrap().as_array().unwrap()[0].as_reference().unwrap();
            let desc = doc.get_dictionary(desc).unwrap();
            let fd = doc.get_dictionary(desc.get(b"FontDescriptor").unwrap().as_reference().unwrap()).unwrap();
            assert!(fd.get(b"FontFile2").is_ok() || fd.get(b"FontFile3").is_ok(), "a font not embedded");
            assert!(desc.get(b"CIDToGIDMap").is_ok() || desc.get(b"Subtype").unwrap().as_name().unwrap() == b"CIDFontType0");
        }
    }
    assert!(fonts >= 1);
}

#[test]
fn a_long_reason_is_printed_whole_and_labelled() {
    let dir = root().join("tests/fixtures/long-text");
    let bytes = render_item(&dir, "3-2");
    let doc = Document::load_mem(&bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(pages.len() <= 9, "{} pages", pages.len());
    let page_text: Vec<String> = pages.iter().map(|p| strip_ws(&doc.extract_text(&[*p]).unwrap())).collect();
    let set = load_ok(&dir);
    let reason = set.item("3-2").unwrap().item.initiatives[0].years[&2021].value.reason.paragraphs().concat();
    let sentences: Vec<String> = reason.split_inclusive('。').map(strip_ws).collect();
    assert!(sentences.len() > 50);
    for s in &sentences {
        // (Here the rest fits on one page: every sentence is whole on a page.)
        assert!(page_text.iter().any(|t| t.contains(s.as_str())), "sentence missing: {s}");
    }
    let all = page_text.concat();
    assert!(all.contains("評価理由(令和3年度)の続き"), "the rest is not labelled");
    assert!(all.contains("(続きは下欄)"), "the cut cell does not say where it goes on");
}

//! The `shinko` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use shinko::commands::{self, build::Format};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The help layout, with Japanese headings (clap's own are English).
const HELP_TEMPLATE: &str = "{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// YAML で書いた進行管理シートから、公開用の PDF と Excel ファイル (XLSX) を作ります。
///
/// sheets フォルダに plan.yaml (計画全体の設定) と、項目ごとの YAML ファイル (例: 3-2.yaml) を置いて使います。
#[derive(Parser)]
#[command(name = "shinko", version, long_about = None)]
#[command(disable_help_subcommand = true, disable_help_flag = true, disable_version_flag = true)]
#[command(subcommand_help_heading = "コマンド", subcommand_value_name = "コマンド", next_help_heading = "オプション")]
#[command(after_help = "各コマンドの説明: shinko <コマンド> --help (例: shinko build --help)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// ヘルプを表示します
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,
    /// バージョンを表示します
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// シートを検査してから、項目ごとの PDF・Excel ファイル、冊子 (book.pdf)、総括表 (summary.xlsx, summary.csv)、ウェブ用の HTML ページ (html/) を書き出します
    ///
    /// 項目ごと: output/3-2.pdf, output/3-2.xlsx。
    /// 冊子 book.pdf: 表紙・目次・総括表と、全項目のシートを柱ごとに項目番号順に並べた 1 冊の PDF。
    /// summary.xlsx: 総括表 (柱別の自己評価の件数と前年度からの増減、内部評価・外部評価、効果額、取組主管課別、指標の達成率、グラフ)、
    /// 一覧 (取組×年度ごとに 1 行)、指標 (指標×年度ごとに 1 行)。summary.csv: 一覧と同じ内容の CSV (UTF-8 BOM 付き)。
    /// 入力に誤りがあるときは、すべての誤りを表示し、何も書き出しません。
    /// 前回と中身が同じファイルは書き直しません。
    #[command(next_help_heading = "オプション", override_usage = "shinko build [--sheets フォルダ] [--out フォルダ] [--format 形式] [--year 年度] [--clean]")]
    Build {
        /// 入力のフォルダ (plan.yaml と項目ごとの YAML)。省略時: sheets
        #[arg(long, value_name = "フォルダ", default_value = "sheets", hide_default_value = true)]
        sheets: PathBuf,
        /// 出力先のフォルダ。省略時: output
        #[arg(long, value_name = "フォルダ", default_value = "output", hide_default_value = true)]
        out: PathBuf,
        /// 書き出す形式 (カンマ区切りで pdf, xlsx, book, summary, html から。pdf: 項目ごとの PDF、xlsx: 項目ごとの Excel、book: 冊子 book.pdf、summary: 総括表 summary.xlsx と summary.csv、html: ウェブ用のページ html/)。省略時: すべて
        #[arg(long, value_name = "形式", value_delimiter = ',', default_value = "pdf,xlsx,book,summary,html", hide_default_value = true, hide_possible_values = true, ignore_case = true)]
        format: Vec<Format>,
        /// 冊子と総括表で評価する年度 (例: 2021、R3、令和3年度)。省略時: 自己評価が記入されている最後の年度
        #[arg(long, value_name = "年度", value_parser = shinko::era::parse_year)]
        year: Option<i32>,
        /// sheets にもうない項目の古いファイル (以前の build が書き出した PDF・Excel・HTML) を出力先から消します (shinko が書き出したままのファイルだけ)
        #[arg(long)]
        clean: bool,
    },
    /// シートを検査し、すべての誤りをファイル名・行・列つきで表示します (何も書き出しません)
    ///
    /// 誤りがなければ終了コード 0、あれば 1 で終わります。
    #[command(next_help_heading = "オプション", override_usage = "shinko check [--sheets フォルダ]")]
    Check {
        /// 入力のフォルダ (plan.yaml と項目ごとの YAML)。省略時: sheets
        #[arg(long, value_name = "フォルダ", default_value = "sheets", hide_default_value = true)]
        sheets: PathBuf,
    },
    /// 新しい項目のシートのひな形 (例: sheets/1-1.yaml) を作ります
    ///
    /// すべての欄を空のまま並べ、年度別の年度は plan.yaml の計画期間から、改革の柱・評価区分・区分の一覧は
    /// plan.yaml から、書き方の説明とともにコメントで載せます。すでにあるファイルは上書きしません。
    #[command(next_help_heading = "オプション", override_usage = "shinko new 項目の番号 [--sheets フォルダ] [--initiatives 数]")]
    New {
        /// 新しい項目の番号 (例: 1-1。ファイル名 1-1.yaml になります)
        #[arg(value_name = "項目の番号", help_heading = "引数")]
        item: String,
        /// 書き出す先のフォルダ (plan.yaml のあるフォルダ)。省略時: sheets
        #[arg(long, value_name = "フォルダ", default_value = "sheets", hide_default_value = true)]
        sheets: PathBuf,
        /// 取組内容の数 (0 から 50)。省略時: 1
        #[arg(long, value_name = "数", default_value = "1", hide_default_value = true, value_parser = commands::new::parse_count)]
        initiatives: usize,
    },
    /// 取組主管課ごとに、その年度の取組状況を記入してもらう Excel ブックを書き出します (例: output/collect/2022/行政経営課.xlsx)
    ///
    /// 取組ごとのシートに、記入欄 (実績・効果額・指標・自己評価・評価理由・次年度以降・方向性・課題) と参考の計画を載せます。
    /// 記入欄以外は保護されています。記入されたブックは shinko import で取り込みます。
    /// --committee を付けると、外部評価委員ごとの評価用ブック (output/collect/2022/外部評価/{委員}.xlsx) を書き出します。
    #[command(next_help_heading = "オプション", override_usage = "shinko collect --year 年度 [--committee] [--sheets フォルダ] [--out フォルダ]")]
    Collect {
        /// 記入してもらう年度 (例: 2022、R4、令和4年度)
        #[arg(long, value_name = "年度", value_parser = shinko::era::parse_year)]
        year: i32,
        /// 入力のフォルダ (plan.yaml と項目ごとの YAML)。省略時: sheets
        #[arg(long, value_name = "フォルダ", default_value = "sheets", hide_default_value = true)]
        sheets: PathBuf,
        /// 出力先のフォルダ (この中の collect/年度/ に書き出します)。省略時: output
        #[arg(long, value_name = "フォルダ", default_value = "output", hide_default_value = true)]
        out: PathBuf,
        /// 取組主管課ではなく、plan.yaml の外部評価委員ごとに評価用ブック (項目ごとの評価と意見の記入欄) を書き出します
        #[arg(long)]
        committee: bool,
    },
    /// 記入された記入用ブック (shinko collect で作ったもの) を読み、値を YAML に書き込みます
    ///
    /// 変わる値をブックごとに表示し、YAML の変わった値だけを書き換えます (コメントや書き方はそのまま)。
    /// 取り込み済みのブックを課が直して送り直したもの (訂正) は、前回そのブックから取り込んだ値を置き換えます
    /// (取り込みの記録: sheets/.shinko.import.yaml)。
    /// 値の誤り・ブック同士の食い違い・ブック作成後や取り込み後の YAML の書き換えがあるときは、すべて表示して何も書き込みません。
    #[command(next_help_heading = "オプション", override_usage = "shinko import [--sheets フォルダ] [--dry-run] [--year 年度] ブック...")]
    Import {
        /// 取り込む記入用ブック (.xlsx、複数可)
        #[arg(value_name = "ブック", required = true)]
        files: Vec<PathBuf>,
        /// 取り込み先のフォルダ (plan.yaml と項目ごとの YAML)。省略時: sheets
        #[arg(long, value_name = "フォルダ", default_value = "sheets", hide_default_value = true)]
        sheets: PathBuf,
        /// 変わる値を表示するだけで、書き込みません
        #[arg(long)]
        dry_run: bool,
        /// この年度のブックだけを受け付けます (例: 2022、R4。省略時: すべてのブックが同じ年度であること)
        #[arg(long, value_name = "年度", value_parser = shinko::era::parse_year)]
        year: Option<i32>,
    },
    /// その年度の記入用ブックの提出状況 (どの課から戻ったか) と、シートでまだ空欄の記入欄の一覧 (未提出・未記入一覧) を表示します
    ///
    /// ブックはファイルかフォルダで指定します (フォルダはその直下の .xlsx。中のフォルダは見ません)。
    /// 別の年度・別の計画のブックや記入用ブックでないファイルは、警告を表示して数えません。
    /// 未記入一覧は、シート (YAML) の今の値から作ります (取り込み後の状態)。
    /// --out を付けると、同じ内容を Excel ファイル (status-年度.xlsx) にも書き出します。
    #[command(next_help_heading = "オプション", override_usage = "shinko status --year 年度 [--sheets フォルダ] [--out ファイルまたはフォルダ] [ブック...]")]
    Status {
        /// 調べる年度 (例: 2022、R4、令和4年度)
        #[arg(long, value_name = "年度", value_parser = shinko::era::parse_year)]
        year: i32,
        /// 戻ってきた記入用ブック (.xlsx) か、それを入れたフォルダ (複数可。省略時: ブックなしで未記入一覧だけ)
        #[arg(value_name = "ブック")]
        files: Vec<PathBuf>,
        /// 入力のフォルダ (plan.yaml と項目ごとの YAML)。省略時: sheets
        #[arg(long, value_name = "フォルダ", default_value = "sheets", hide_default_value = true)]
        sheets: PathBuf,
        /// Excel ファイルの書き出し先。.xlsx で終わればそのファイル、それ以外はフォルダ (その中の status-年度.xlsx)
        #[arg(long, value_name = "ファイルまたはフォルダ", conflicts_with = "committee")]
        out: Option<PathBuf>,
        /// 課のブックの代わりに、外部評価委員の評価用ブックの提出状況を表示します (画面のみ)
        #[arg(long)]
        committee: bool,
    },
}

/// The command with Japanese help on every subcommand.
fn command() -> clap::Command {
    Cli::command()
        .help_template(HELP_TEMPLATE)
        .mut_subcommands(|c| c.help_template(HELP_TEMPLATE))
}

/// clap's usage errors, said in Japanese.
fn usage_error(e: &clap::Error) -> String {
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let suggestion = match (ctx(ContextKind::SuggestedArg), ctx(ContextKind::SuggestedSubcommand)) {
        (a, _) if !a.is_empty() => format!(" (「{a}」のことですか?)"),
        (_, s) if !s.is_empty() => format!(" (「{s}」のことですか?)"),
        _ => String::new(),
    };
    let msg = match e.kind() {
        ErrorKind::UnknownArgument => format!("「{}」というオプションはありません{suggestion}", ctx(ContextKind::InvalidArg)),
        ErrorKind::InvalidSubcommand => format!("「{}」というコマンドはありません{suggestion}", ctx(ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidValue => {
            let valid = ctx(ContextKind::ValidValue);
            let mut m = format!("{} に「{}」は使えません", ctx(ContextKind::InvalidArg), ctx(ContextKind::InvalidValue));
            if !valid.is_empty() {
                m.push_str(&format!(" (使える値: {valid})"));
            }
            m
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(|s| s.to_string()).unwrap_or_default();
            format!("{} の指定が正しくありません: {why}", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::MissingRequiredArgument => format!("指定が足りません: {}", ctx(ContextKind::InvalidArg)),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "コマンドを指定してください (build, check など)".to_owned()
        }
        ErrorKind::ArgumentConflict => format!("同時に指定できないオプションがあります: {}", ctx(ContextKind::InvalidArg)),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("{} の指定が多すぎます", ctx(ContextKind::InvalidArg))
        }
        _ => e.to_string().trim().to_owned(),
    };
    format!("エラー: {msg}\n使い方は shinko --help で確かめてください。")
}

/// Exit statuses: the whole policy of the program.
const EXIT_OK: u8 = 0;
/// Problems in the input (or an I/O error that stopped the command).
const EXIT_PROBLEMS: u8 = 1;
/// A usage error, or an internal error (a bug).
const EXIT_USAGE: u8 = 2;

/// A panic is a bug: say so in Japanese, with what and where, and ask for a report.
fn report_panic(info: &std::panic::PanicHookInfo) {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
    shinko::tell!(
        "内部エラー: shinko の不具合です。入力の誤りではありません。\n\
         お手数ですが、このメッセージと、使ったコマンド・シートを添えて担当者に報告してください。\n\
         (詳細: {what} at {place})"
    );
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    match std::panic::catch_unwind(run) {
        Ok(code) => ExitCode::from(code),
        // The hook has reported it; unwinding dropped the open batches, which removed their
        // temporary files.
        Err(_) => ExitCode::from(EXIT_USAGE),
    }
}

fn run() -> u8 {
    // Lets the tests check the internal-error report; no user sets this.
    if std::env::var_os("SHINKO_TEST_INTERNAL_ERROR").is_some() {
        panic!("internal-error report requested by SHINKO_TEST_INTERNAL_ERROR");
    }
    // SIGINT, SIGTERM, SIGHUP: remove the temporary files of the outputs being written.
    shinko::output::install_signal_handlers();
    // `shinko help` and `shinko help build` are `shinko --help` and `shinko build --help`.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "help") {
        args.remove(1);
        args.push("--help".into());
    }
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return EXIT_OK;
        }
        Err(e) => {
            shinko::tell!("{}", usage_error(&e));
            return EXIT_USAGE;
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            shinko::tell!("{}", usage_error(&e));
            return EXIT_USAGE;
        }
    };
    let result = match cli.command {
        Command::Build { sheets, out, format, year, clean } => commands::build::run(&sheets, &out, &format, year, clean),
        Command::Check { sheets } => commands::check::run(&sheets),
        Command::New { item, sheets, initiatives } => commands::new::run(&sheets, &item, initiatives),
        Command::Collect { year, sheets, out, committee: true } => commands::committee::collect(&sheets, &out, year),
        Command::Collect { year, sheets, out, committee: false } => commands::collect::run(&sheets, &out, year),
        Command::Import { files, sheets, dry_run, year } => commands::import::run(&sheets, &files, dry_run, year),
        Command::Status { year, files, sheets, out: _, committee: true } => commands::status::run_committee(&sheets, &files, year),
        Command::Status { year, files, sheets, out, committee: false } => commands::status::run(&sheets, &files, year, out.as_deref()),
    };
    let report = match result {
        Ok(report) => report,
        Err(problem) => {
            let mut report = commands::Report::default();
            report.diags.push(problem);
            report
        }
    };
    report.print();
    if report.has_errors() { EXIT_PROBLEMS } else { EXIT_OK }
}

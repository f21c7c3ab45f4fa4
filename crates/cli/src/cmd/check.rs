//! `guarantor check PACT [--format json]`: every finding at once; exit 0 clean,
//! 1 findings, 2 unreadable input.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like diagnostics with an excerpt and a caret.
    Human,
    /// One JSON document: `{ "file", "clean", "diagnostics": [...] }`.
    Json,
}

pub fn run(pact: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let dir = pact.parent().unwrap_or(Path::new(""));
    let name = pact
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("PACT `{}` is not a file name in UTF-8", pact.display()))?;
    let files = pact::DiskFiles::new(dir);
    let shown = pact.to_string_lossy().replace('\\', "/");
    let checked = match pact::check(&files, name) {
        Ok(checked) => relabel(checked, name, &shown),
        Err(err) => anyhow::bail!("{err}"),
    };
    match format {
        Format::Human => {
            if checked.is_clean() {
                println!("{shown}: clean");
            } else {
                print!("{}", checked.render());
            }
        }
        Format::Json => {
            let doc = serde_json::json!({
                "file": shown,
                "clean": checked.is_clean(),
                "diagnostics": checked.diagnostics,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    Ok(if checked.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The pact was read relative to its directory; show paths as the user gave them.
fn relabel(mut checked: pact::Checked, name: &str, shown: &str) -> pact::Checked {
    let prefix = shown.strip_suffix(name).unwrap_or("");
    for d in &mut checked.diagnostics {
        d.file = format!("{prefix}{}", d.file);
    }
    checked
}

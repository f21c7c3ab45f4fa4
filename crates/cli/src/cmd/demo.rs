//! `guarantor demo`: the main job on the embedded default, with no files and no
//! server. For now: check the bundled pact (embedded in the binary with its
//! geography) and print its compiled summary.

use std::process::ExitCode;

/// The bundled pact and every file it names, as `(path, bytes)`.
const BUNDLED: &[(&str, &[u8])] = &[
    ("pacts/ukraine-shield.toml", include_bytes!("../../../../pacts/ukraine-shield.toml")),
];

pub fn run() -> anyhow::Result<ExitCode> {
    let files = BUNDLED
        .iter()
        .fold(pact::MemoryFiles::new(), |files, (path, bytes)| files.with(path, *bytes));
    let checked = pact::check(&files, "pacts/ukraine-shield.toml")?;
    if !checked.is_clean() {
        print!("{}", checked.render());
    }
    let clean = checked.is_clean();
    let Some(compiled) = checked.compiled else {
        anyhow::bail!("the bundled pact does not compile");
    };
    println!("checked the bundled pact: {} finding(s)\n", checked.diagnostics.len());
    print!("{}", compiled.summary());
    Ok(if clean { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

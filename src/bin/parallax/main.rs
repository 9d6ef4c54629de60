//! `parallax` command line: a thin edge over `parallax::api`.

fn main() -> anyhow::Result<()> {
    Ok(())
}

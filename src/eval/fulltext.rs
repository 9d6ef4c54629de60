//! Full-text extraction quality on article pages with a gold text beside each
//! (`tests/fixtures/articles/*.html` and `*.gold.txt`).
//!
//! Metrics, over word tokens (Unicode alphanumeric runs, folded as the archive folds them, so
//! Arabic and Persian letter variants count as one), as multisets:
//! - recall: share of the gold text's tokens found in the extracted text;
//! - boilerplate: share of the extracted text's tokens that are not in the gold text
//!   (navigation, teasers, footers... left in);
//! - a page's main text is **found** when recall ≥ [`FOUND_RECALL`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Recall from which a page's main text counts as found.
pub const FOUND_RECALL: f64 = 0.9;

/// One page and its gold text.
#[derive(Debug, Clone)]
pub struct Page {
    pub name: String,
    pub lang: String,
    pub html: String,
    pub gold: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageScore {
    pub name: String,
    pub lang: String,
    pub recall: f64,
    pub boilerplate: f64,
    pub extracted_tokens: usize,
    pub gold_tokens: usize,
    /// The extraction error, when there was one (recall 0).
    pub error: Option<String>,
}

impl PageScore {
    pub fn found(&self) -> bool {
        self.recall >= FOUND_RECALL
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub pages: Vec<PageScore>,
    pub found: usize,
    pub mean_recall: f64,
    pub mean_boilerplate: f64,
}

/// Every `NAME.html` with a `NAME.gold.txt` in `dir`, by name; the language is the name's
/// prefix (`fa-2-wiki`).
pub fn load_pages(dir: &Path) -> std::io::Result<Vec<Page>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let name = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let gold_path = p.with_file_name(format!("{name}.gold.txt"));
        if !gold_path.is_file() {
            continue;
        }
        out.push(Page {
            lang: name.split('-').next().unwrap_or("").to_owned(),
            html: std::fs::read_to_string(&p)?,
            gold: std::fs::read_to_string(&gold_path)?,
            name,
        });
    }
    Ok(out)
}

fn tokens(s: &str) -> Vec<String> {
    crate::normalize::fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Recall of `gold` in `extracted` and the boilerplate share of `extracted` (see module doc).
pub fn score_text(gold: &str, extracted: &str) -> (f64, f64, usize, usize) {
    let g = tokens(gold);
    let x = tokens(extracted);
    let mut bag: HashMap<&str, usize> = HashMap::new();
    for t in &g {
        *bag.entry(t).or_default() += 1;
    }
    let mut matched = 0usize;
    for t in &x {
        if let Some(c) = bag.get_mut(t.as_str())
            && *c > 0
        {
            *c -= 1;
            matched += 1;
        }
    }
    let recall = matched as f64 / g.len().max(1) as f64;
    let boilerplate = if x.is_empty() {
        0.0
    } else {
        (x.len() - matched) as f64 / x.len() as f64
    };
    (recall, boilerplate, x.len(), g.len())
}

/// Extract every page with the product's extractor and score it.
pub fn evaluate(pages: &[Page]) -> Report {
    let scores: Vec<PageScore> = pages
        .iter()
        .map(|p| {
            let (text, error) =
                match crate::fulltext::extract(&p.html, Some("https://example.org/article")) {
                    Ok(e) => (e.text, None),
                    Err(e) => (String::new(), Some(e.to_string())),
                };
            let (recall, boilerplate, extracted_tokens, gold_tokens) = score_text(&p.gold, &text);
            PageScore {
                name: p.name.clone(),
                lang: p.lang.clone(),
                recall,
                boilerplate,
                extracted_tokens,
                gold_tokens,
                error,
            }
        })
        .collect();
    let n = scores.len().max(1) as f64;
    Report {
        found: scores.iter().filter(|s| s.found()).count(),
        mean_recall: scores.iter().map(|s| s.recall).sum::<f64>() / n,
        mean_boilerplate: scores.iter().map(|s| s.boilerplate).sum::<f64>() / n,
        pages: scores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_count_tokens_as_multisets() {
        let (r, b, x, g) = score_text("a b c d", "a b x y");
        assert_eq!((x, g), (4, 4));
        assert!((r - 0.5).abs() < 1e-9 && (b - 0.5).abs() < 1e-9);
        // Arabic and Persian forms of one word are one token.
        let (r, _, _, _) = score_text("ایران", "ايران");
        assert!((r - 1.0).abs() < 1e-9);
        let (r, b, _, _) = score_text("a", "");
        assert_eq!((r, b), (0.0, 0.0));
    }
}

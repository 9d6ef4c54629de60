//! Placeholder until the normalisation stage lands (replaced by the `lang` branch).

pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

pub fn fold_tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

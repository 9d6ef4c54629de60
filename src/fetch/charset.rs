//! Turn a feed body's bytes into UTF-8 text.
//!
//! Order: a byte-order mark wins; then valid UTF-8 is taken as UTF-8 whatever the labels say
//! (legacy-encoded Arabic or Persian text is practically never valid UTF-8, while servers that
//! send UTF-8 under a stale `charset=windows-1256` label are common); then the HTTP `charset`
//! and the XML declaration, each tried strictly; then a statistical guess (chardetng).

use encoding_rs::{Encoding, UTF_8};

/// The decoded body and the encoding that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub charset: &'static str,
}

/// Why a body could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharsetError {
    #[error("body has a {encoding} byte-order mark but is not valid {encoding}")]
    BadBom { encoding: &'static str },
    #[error("body is not valid in its declared charset nor in the guessed {guessed}")]
    Undecodable { guessed: &'static str },
}

/// Decode `bytes`, using the `Content-Type` header value when given.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<Decoded, CharsetError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return strict(enc, &bytes[bom_len..]).ok_or(CharsetError::BadBom {
            encoding: enc.name(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_owned(),
            charset: UTF_8.name(),
        });
    }
    let labels = [
        content_type.and_then(header_charset),
        xml_declared_encoding(bytes),
    ];
    for label in labels.into_iter().flatten() {
        if let Some(enc) = Encoding::for_label(label.as_bytes()) {
            // UTF-16 labels without a BOM are unreliable; the XML declaration cannot even be
            // read in UTF-16 as ASCII, so a label saying so is a mislabel.
            if enc.is_ascii_compatible()
                && let Some(decoded) = strict(enc, bytes)
            {
                return Ok(decoded);
            }
        }
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    strict(guess, bytes).ok_or(CharsetError::Undecodable {
        guessed: guess.name(),
    })
}

fn strict(enc: &'static Encoding, bytes: &[u8]) -> Option<Decoded> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| Decoded {
            text: text.into_owned(),
            charset: enc.name(),
        })
}

/// The `charset` parameter of a `Content-Type` value.
fn header_charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// The `encoding` pseudo-attribute of a leading `<?xml ...?>` declaration.
fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(value[..value.find(quote)?].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{ISO_8859_6, WINDOWS_1256};

    /// An NTREX-128 headline (CC BY-SA 4.0): Arabic letters that both legacy charsets hold.
    const AR: &str = "أردوغان يحصل على مزيج من الترحيب في كولونيا";

    fn xml(enc_label: &str, body: &str) -> String {
        format!("<?xml version=\"1.0\" encoding=\"{enc_label}\"?><rss><title>{body}</title></rss>")
    }

    #[test]
    fn windows_1256_from_header() {
        let text = xml("windows-1256", AR);
        let (bytes, _, lossy) = WINDOWS_1256.encode(&text);
        assert!(!lossy);
        let d = decode(&bytes, Some("application/rss+xml; charset=windows-1256")).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.charset, "windows-1256");
    }

    #[test]
    fn windows_1256_from_xml_declaration_only() {
        let text = xml("windows-1256", AR);
        let (bytes, _, _) = WINDOWS_1256.encode(&text);
        let d = decode(&bytes, Some("text/xml")).unwrap();
        assert_eq!(d.text, text);
    }

    #[test]
    fn wrong_header_label_falls_back_to_declaration() {
        let text = xml("windows-1256", AR);
        let (bytes, _, _) = WINDOWS_1256.encode(&text);
        let d = decode(&bytes, Some("text/xml; charset=utf-8")).unwrap();
        assert_eq!(d.text, text);
    }

    #[test]
    fn utf8_body_under_a_legacy_label_stays_utf8() {
        let text = xml("windows-1256", AR);
        let d = decode(text.as_bytes(), Some("text/xml; charset=windows-1256")).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.charset, "UTF-8");
    }

    #[test]
    fn iso_8859_6_label() {
        let text = xml("ISO-8859-6", AR);
        let (bytes, _, lossy) = ISO_8859_6.encode(&text);
        assert!(!lossy);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.charset, "ISO-8859-6");
    }

    #[test]
    fn unlabelled_legacy_arabic_is_guessed() {
        let text = format!("<rss><title>{AR}</title><description>{AR} {AR}</description></rss>");
        let (bytes, _, _) = WINDOWS_1256.encode(&text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.charset, "windows-1256");
    }

    #[test]
    fn bom_wins() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(xml("windows-1256", AR).as_bytes());
        let d = decode(&bytes, Some("text/xml; charset=windows-1256")).unwrap();
        assert_eq!(d.text, xml("windows-1256", AR));
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(AR.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&utf16, Some("text/xml; charset=windows-1256")).unwrap();
        assert_eq!(d.text, AR);
        assert_eq!(d.charset, "UTF-16LE");
    }

    #[test]
    fn declaration_parsing() {
        assert_eq!(
            xml_declared_encoding(b"  <?xml version='1.0' encoding='ISO-8859-6' ?><a/>").as_deref(),
            Some("ISO-8859-6")
        );
        assert_eq!(xml_declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
        assert_eq!(xml_declared_encoding(b"<rss/>"), None);
        assert_eq!(
            header_charset("text/xml; Charset=\"Windows-1256\"").as_deref(),
            Some("Windows-1256")
        );
    }
}

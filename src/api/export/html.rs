//! The story report as one HTML file: inline CSS and SVG only, no script, no remote load.
//! Arabic, Persian and Urdu text is marked `dir="rtl"` with its language, so it reads and prints
//! right to left; the layout prints on A4 in portrait.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::Attribution;
use crate::api::{OutletLag, StoryDetail, StoryItem};
use crate::model::Lang;

/// Escape text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn is_rtl(l: &Lang) -> bool {
    matches!(l, Lang::Ar | Lang::Fa | Lang::Ur)
}

/// `lang` and `dir` attributes for text in `l`.
fn lang_attrs(l: &Lang) -> String {
    let dir = if is_rtl(l) { "rtl" } else { "ltr" };
    match l {
        Lang::Und => "dir=\"auto\"".into(),
        _ => format!("lang=\"{}\" dir=\"{dir}\"", esc(l.code())),
    }
}

/// "+3 h 10 min", "+2 d 4 h", "first".
pub(super) fn lag(secs: i64) -> String {
    if secs <= 0 {
        return "first".into();
    }
    let m = secs / 60;
    let (d, h, min) = (m / (24 * 60), (m / 60) % 24, m % 60);
    if d > 0 {
        format!("+{d} d {h} h")
    } else if h > 0 {
        format!("+{h} h {min} min")
    } else if min > 0 {
        format!("+{min} min")
    } else {
        format!("+{secs} s")
    }
}

fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

const CSS: &str = r#"
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d7dce2; --accent: #2456a6; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, "Noto Sans", "Noto Naskh Arabic", "Vazirmatn", Tahoma, sans-serif;
  color: var(--ink); margin: 24px auto; max-width: 1200px; padding: 0 16px; }
[dir=rtl] { font-family: "Noto Naskh Arabic", "Vazirmatn", Tahoma, system-ui, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 8px; }
.headlines { list-style: none; padding: 0; margin: 8px 0; }
.headlines li { margin: 2px 0; }
.tag { display: inline-block; font-size: 11px; border: 1px solid var(--line); border-radius: 3px;
  padding: 0 4px; color: var(--muted); margin-inline-end: 6px; unicode-bidi: isolate; }
.columns { display: grid; gap: 16px; grid-template-columns: repeat(var(--cols), minmax(0, 1fr)); }
.column h3 { font-size: 14px; margin: 0 0 6px; color: var(--muted); }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; margin-bottom: 8px;
  break-inside: avoid; }
.card .title { font-weight: 600; }
.card .by { font-size: 12px; color: var(--muted); }
.card .text { font-size: 13px; margin-top: 4px; }
a { color: var(--accent); overflow-wrap: anywhere; }
svg { width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: start; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
footer { margin-top: 28px; font-size: 12px; color: var(--muted); }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  @page { size: A4; margin: 14mm; }
  h2 { break-after: avoid; }
  tr, .card, svg { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  td.link a::after { content: " " attr(href); font-size: 9px; color: var(--muted); }
  .columns { grid-template-columns: repeat(min(var(--cols), 2), minmax(0, 1fr)); }
}
"#;

pub(super) fn report(
    story: &StoryDetail,
    attribution: &[Attribution],
    now: DateTime<Utc>,
    generator: &str,
) -> String {
    let s = &story.summary;
    let lead = s
        .headlines
        .iter()
        .find(|h| h.lang == Lang::En)
        .or(s.headlines.first());
    let title = lead.map(|h| h.title.as_str()).unwrap_or("Story");
    let title_lang = lead.map(|h| h.lang.clone()).unwrap_or(Lang::Und);
    let mut h = String::with_capacity(32 * 1024 + story.items.len() * 1024);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{gen}\">\n\
         <title>Story {id}: {t}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        gen = esc(generator),
        id = s.id,
        t = esc(title),
    );
    let _ = write!(
        h,
        "<header>\n<h1 {la}>{t}</h1>\n<p class=\"meta\">Story {id} · {items} items · {outlets} outlets · {langs} · \
         {first} – {last}{by}</p>\n",
        la = lang_attrs(&title_lang),
        t = esc(title),
        id = s.id,
        items = s.item_count,
        outlets = s.outlet_count,
        langs = s
            .languages
            .iter()
            .map(crate::opml::lang_label)
            .collect::<Vec<_>>()
            .join(", "),
        first = time(&s.first_seen),
        last = time(&s.last_seen),
        by = s
            .first_source
            .as_ref()
            .map(|f| format!(" · first reported by {}", esc(&f.name)))
            .unwrap_or_default(),
    );
    h.push_str("<ul class=\"headlines\">\n");
    for hl in &s.headlines {
        let _ = writeln!(
            h,
            "<li><span class=\"tag\">{code}</span><span {la}>{t}</span></li>",
            code = esc(hl.lang.code()),
            la = lang_attrs(&hl.lang),
            t = esc(&hl.title)
        );
    }
    h.push_str("</ul>\n</header>\n");

    h.push_str("<section>\n<h2>Propagation</h2>\n");
    h.push_str(&timeline_svg(&story.propagation, &story.items));
    h.push_str("</section>\n");

    // Columns: one per language, in the story's order.
    let mut langs: Vec<Lang> = Vec::new();
    for it in &story.items {
        if !langs.contains(&it.lang) {
            langs.push(it.lang.clone());
        }
    }
    let _ = write!(
        h,
        "<section>\n<h2>Coverage by language</h2>\n<div class=\"columns\" style=\"--cols: {}\">\n",
        langs.len().max(1)
    );
    for l in &langs {
        let _ = write!(
            h,
            "<div class=\"column\" {la}>\n<h3>{name}</h3>\n",
            la = lang_attrs(l),
            name = esc(&crate::opml::lang_label(l))
        );
        for it in story.items.iter().filter(|i| &i.lang == l) {
            card(&mut h, it);
        }
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n</section>\n");

    h.push_str(
        "<section>\n<h2>All items</h2>\n<table>\n<thead><tr><th>Time (UTC)</th><th>Outlet</th>\
         <th>Language</th><th>Headline</th><th>Link</th></tr></thead>\n<tbody>\n",
    );
    for it in &story.items {
        let _ = writeln!(
            h,
            "<tr data-item=\"{id}\"><td>{t}{est}</td><td>{o}</td><td>{l}</td><td {la}>{title}</td>\
             <td class=\"link\">{link}</td></tr>",
            id = it.id,
            t = esc(&it.published.format("%Y-%m-%d %H:%M").to_string()),
            est = if it.time_estimated { " (fetched)" } else { "" },
            o = esc(&it.source.name),
            l = esc(it.lang.code()),
            la = lang_attrs(&it.lang),
            title = esc(&it.title),
            link = it
                .url
                .as_deref()
                .map(|u| format!("<a href=\"{u}\">{u}</a>", u = esc(u)))
                .unwrap_or_default(),
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    h.push_str("<footer>\n<h2>Sources and attribution</h2>\n<ul>\n");
    for a in attribution {
        let _ = write!(h, "<li><strong>{}</strong>", esc(&a.name));
        if let Some(home) = &a.homepage {
            let _ = write!(h, " — <a href=\"{u}\">{u}</a>", u = esc(home));
        }
        if let Some(note) = &a.note {
            let _ = write!(h, " — {}", esc(note));
        }
        h.push_str("</li>\n");
    }
    let _ = write!(
        h,
        "</ul>\n<p>Headlines and summaries belong to the outlets named; each item links to its \
         original. Grouping into a story and the propagation timeline are {gen}'s, made {at}.</p>\n\
         </footer>\n</body>\n</html>\n",
        gen = esc(generator),
        at = time(&now)
    );
    h
}

fn card(h: &mut String, it: &StoryItem) {
    let _ = write!(
        h,
        "<article class=\"card\" data-item=\"{id}\" {la}>\n<div class=\"title\">{t}</div>\n\
         <div class=\"by\" dir=\"ltr\">{o} · {time}{est} · {code}{link}</div>\n",
        id = it.id,
        la = lang_attrs(&it.lang),
        t = esc(&it.title),
        o = esc(&it.source.name),
        time = time(&it.published),
        est = if it.time_estimated {
            " (fetch time)"
        } else {
            ""
        },
        code = esc(it.lang.code()),
        link = it
            .url
            .as_deref()
            .map(|u| format!(" · <a href=\"{}\">original</a>", esc(u)))
            .unwrap_or_default(),
    );
    let text = it.summary_text.trim();
    if !text.is_empty() && text != it.title.trim() {
        let _ = writeln!(h, "<div class=\"text\">{}</div>", esc(text));
    }
    h.push_str("</article>\n");
}

/// One row per outlet in order of first appearance; a dot per item on a shared time axis.
fn timeline_svg(rows: &[OutletLag], items: &[StoryItem]) -> String {
    const ROW: f64 = 22.0;
    const LEFT: f64 = 200.0;
    const RIGHT: f64 = 110.0;
    const WIDTH: f64 = 1000.0;
    const TOP: f64 = 24.0;
    let (Some(first), Some(last)) = (
        items.iter().map(|i| i.published).min(),
        items.iter().map(|i| i.published).max(),
    ) else {
        return String::new();
    };
    let span = (last - first).num_seconds().max(1) as f64;
    let x = |t: &DateTime<Utc>| {
        LEFT + (t.timestamp() - first.timestamp()) as f64 / span * (WIDTH - LEFT - RIGHT)
    };
    let height = TOP + ROW * rows.len() as f64 + 8.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"Propagation timeline\" dir=\"ltr\">"
    );
    let _ = writeln!(
        s,
        "<text x=\"{LEFT}\" y=\"14\">{}</text><text x=\"{}\" y=\"14\" text-anchor=\"end\">{}</text>",
        esc(&time(&first)),
        WIDTH - RIGHT,
        esc(&time(&last))
    );
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64 + ROW / 2.0;
        let _ = writeln!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#d7dce2\"/>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{name} ({code})</text>\
             <text x=\"{rx}\" y=\"{ty}\">{lag}</text>",
            x2 = WIDTH - RIGHT,
            lx = LEFT - 8.0,
            rx = WIDTH - RIGHT + 8.0,
            ty = y + 4.0,
            name = esc(&r.source.name),
            code = esc(r.lang.code()),
            lag = esc(&lag(r.lag_secs)),
        );
        for it in items.iter().filter(|it| it.source.id == r.source.id) {
            let _ = writeln!(
                s,
                "<circle cx=\"{cx:.1}\" cy=\"{y}\" r=\"5\" fill=\"{fill}\" data-item=\"{id}\"><title>{t}</title></circle>",
                cx = x(&it.published),
                fill = if it.id == r.item_id {
                    "#2456a6"
                } else {
                    "#8aa6d6"
                },
                id = it.id,
                t = esc(&format!("{} · {}", time(&it.published), it.title)),
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lags_read_like_the_app() {
        assert_eq!(lag(0), "first");
        assert_eq!(lag(190 * 60), "+3 h 10 min");
        assert_eq!(lag(2 * 86_400 + 4 * 3600), "+2 d 4 h");
        assert_eq!(lag(42), "+42 s");
    }

    #[test]
    fn escaping_keeps_markup_out() {
        assert_eq!(
            esc("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }
}

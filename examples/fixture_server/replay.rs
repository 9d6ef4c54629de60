//! Replay mode of the fixture server: N feeds of real headlines that gain items on a cycle (see
//! the module doc of `fixture_server.rs`). Benchmark support only; nothing here is timed.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use parallax::model::Item;

use crate::support::render::{Channel, DateSpec, Entry, Format, render};
use crate::support::server::{Behaviour, FixtureServer, StaticFeed};

pub struct Options {
    pub data: PathBuf,
    pub feeds: usize,
    pub cycle_secs: u64,
    pub initial: usize,
    pub per_cycle: usize,
    pub ports: usize,
}

/// Items a feed keeps on show (the newest), as a news feed does.
const WINDOW: usize = 25;

struct Feed {
    name: String,
    channel: Channel,
    format: Format,
    /// Items not out yet, next first.
    queue: std::vec::IntoIter<Item>,
    /// Items out, oldest first (the last `WINDOW` are served).
    shown: Vec<Entry>,
}

impl Feed {
    /// Put out `n` more items dated now; `false` once the queue is empty.
    fn publish(&mut self, n: usize, server: &FixtureServer) -> (usize, bool) {
        let now = Utc::now();
        let mut out = 0;
        for it in self.queue.by_ref().take(n) {
            self.shown.push(Entry {
                guid: it.url.clone(),
                link: it.url,
                title: it.title,
                summary: it.summary_text,
                date: DateSpec::At(now),
                tags: Vec::new(),
            });
            out += 1;
        }
        let from = self.shown.len().saturating_sub(WINDOW);
        let mut feed = StaticFeed::new(
            render(self.format, &self.channel, &self.shown[from..]),
            &format!("{}; charset=utf-8", self.format.content_type()),
        );
        feed.last_modified = Some(now.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
        server.set(&self.name, Behaviour::Feed(feed));
        (out, self.queue.len() > 0)
    }
}

pub async fn run(o: Options) -> anyhow::Result<()> {
    let corpus = parallax::api::bench_corpus(&o.data, usize::MAX, false)?;
    let langs: HashMap<String, String> = corpus
        .sources
        .iter()
        .map(|s| (s.id.clone(), s.language.code().to_string()))
        .collect();
    // Each feed is a contiguous run of the corpus (which lists one outlet's items together), so
    // a feed is mostly one outlet in one language.
    let per_feed = (corpus.items.len() / o.feeds).max(1);
    let mut items = corpus.items.into_iter();
    let formats = [Format::Rss2, Format::Atom, Format::Rdf];
    let mut feeds: Vec<Feed> = (0..o.feeds)
        .map(|i| {
            let run: Vec<Item> = items.by_ref().take(per_feed).collect();
            let lang = run
                .first()
                .and_then(|it| langs.get(&it.source_id))
                .cloned()
                .unwrap_or_else(|| "en".into());
            Feed {
                name: format!("replay/{i}"),
                channel: Channel {
                    title: format!("Replay {i}"),
                    site: format!("https://replay-{i}.example/"),
                    lang,
                    xml_encoding: Some("UTF-8".into()),
                    ttl_minutes: None,
                },
                format: formats[i % formats.len()],
                queue: run.into_iter(),
                shown: Vec::new(),
            }
        })
        .collect();
    // Before the start every feed is empty (a valid feed with no items).
    let server = Arc::new(
        FixtureServer::start_many(
            feeds.iter().map(|f| {
                (
                    f.name.clone(),
                    Behaviour::Feed(StaticFeed::new(
                        render(f.format, &f.channel, &[]),
                        f.format.content_type(),
                    )),
                )
            }),
            o.ports,
        )
        .await?,
    );
    let line = serde_json::json!({
        "base_urls": server.addrs().iter().map(|a| format!("http://{a}/")).collect::<Vec<_>>(),
        "fixtures": Vec::<String>::new(),
        "bench": feeds.iter().enumerate().map(|(i, f)| server.url_on(i, &f.name)).collect::<Vec<_>>(),
        "items_per_feed": per_feed,
    });
    println!("{line}");

    // First line on stdin: start. End of stdin: stop.
    let (start_tx, start_rx) = tokio::sync::oneshot::channel::<()>();
    let stdin_done = tokio::task::spawn_blocking(move || {
        let mut lines = std::io::stdin().lock().lines();
        if lines.next().is_some() {
            let _ = start_tx.send(());
        }
        for _ in lines {}
    });
    let ticker = {
        let server = server.clone();
        async move {
            if start_rx.await.is_err() {
                return;
            }
            let mut published = 0;
            for f in feeds.iter_mut() {
                published += f.publish(o.initial, &server).0;
            }
            println!(
                "{}",
                serde_json::json!({"secs": 0, "cycle": 0, "published": published, "exhausted": 0})
            );
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            let mut exhausted = 0;
            for t in 1u64.. {
                tick.tick().await;
                let slot = t % o.cycle_secs;
                for (i, f) in feeds.iter_mut().enumerate() {
                    if i as u64 % o.cycle_secs == slot && f.queue.len() > 0 {
                        let (n, more) = f.publish(o.per_cycle, &server);
                        published += n;
                        exhausted += usize::from(!more);
                    }
                }
                if t % 10 == 0 {
                    println!(
                        "{}",
                        serde_json::json!({"secs": t, "cycle": t / o.cycle_secs, "published": published, "exhausted": exhausted})
                    );
                }
            }
        }
    };
    tokio::select! {
        _ = ticker => {}
        _ = stdin_done => {}
    }
    Ok(())
}

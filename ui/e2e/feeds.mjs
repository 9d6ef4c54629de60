// Fixture feed server on 127.0.0.1 for the E2E suite: real items from the committed text fixtures
// (tests/fixtures/text) served as RSS 2.0: one feed per language (Wikipedia ITN), a Persian feed
// that spells آمریکا, a Persian feed of NTREX news translations (search by meaning from English),
// a Persian origin and its Arabic translation (carry tracing) and a hostile feed. Persian items
// naming ترامپ drive the watch and alerts checks.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const esc = (s) =>
  String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function rss(title, lang, items) {
  const body = items
    .map(
      (it) => `<item><title>${esc(it.title)}</title><link>${esc(it.link)}</link><guid isPermaLink="false">${esc(
        it.guid,
      )}</guid><pubDate>${new Date(it.published).toUTCString()}</pubDate><description>${esc(
        it.description ?? "",
      )}</description></item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(title)}</title><link>http://127.0.0.1/</link><language>${lang}</language>
<description>Parallax E2E fixture</description>
${body}
</channel></rss>`;
}

const jsonl = (path) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

/** Build the feeds from the committed text fixtures (`tests/fixtures/text`). */
export function buildFeeds(fixtureText) {
  const rows = jsonl(resolve(fixtureText, "stories/itn-ar-fa-en.jsonl")).filter((r) => r.published);
  // Events covered in all three languages with dates: the cross-lingual stories the app must find.
  const langsOf = new Map();
  for (const r of rows) langsOf.set(r.story, (langsOf.get(r.story) ?? new Set()).add(r.lang));
  const events = [...langsOf].filter(([, l]) => l.size === 3).map(([s]) => s);
  const chosen = rows.filter((r) => events.includes(r.story));
  const feeds = {};
  for (const lang of ["ar", "fa", "en"]) {
    feeds[`/${lang}.xml`] = rss(
      `ITN fixture (${lang})`,
      lang,
      chosen
        .filter((r) => r.lang === lang)
        .map((r) => ({
          title: r.title,
          link: r.url ? `${r.url}#${r.id}` : `http://127.0.0.1/${r.id}`,
          guid: r.id,
          published: r.published,
          description: (r.text ?? "").slice(0, 600),
        })),
    );
  }
  // Persian news sentences (NTREX, no dates: stamped here) that spell آمریکا with Persian letters.
  const fas = readFileSync(resolve(fixtureText, "ntrex128/newstest2019-ref.fas.txt"), "utf8")
    .split("\n")
    .filter((l) => /(^|\s)آمریکا(\s|$)/.test(l))
    .slice(0, 8);
  feeds["/fa-news.xml"] = rss(
    "Persian news fixture",
    "fa",
    fas.map((t, i) => ({
      title: t,
      link: `http://127.0.0.1/fa-news/${i}`,
      guid: `fa-news-${i}`,
      published: Date.UTC(2019, 10, 20, 8 + i),
      description: "",
    })),
  );
  // Persian translations of NTREX news documents: an English query must find one by meaning.
  const ntrex = jsonl(resolve(fixtureText, "stories/ntrex-ar-fa-en.jsonl"));
  const docs = [...new Set(ntrex.filter((r) => r.lang === "en").map((r) => r.story))].slice(0, 24);
  const ntrexFa = ntrex.filter((r) => r.lang === "fa" && docs.includes(r.story));
  feeds["/ntrex-fa.xml"] = rss(
    "NTREX fixture (fa)",
    "fa",
    ntrexFa.map((r, i) => ({
      title: r.title,
      link: `http://127.0.0.1/${r.id}`,
      guid: r.id,
      published: Date.UTC(2018, 8, 1 + i, 9),
      description: (r.text ?? "").slice(0, 600),
    })),
  );
  const en = ntrex.find((r) => r.lang === "en" && r.title.startsWith("Police clash with Catalan separatists"));
  const meaning = en && {
    query: en.title,
    expect: ntrexFa.find((r) => r.story === en.story)?.title,
  };
  // Carry: a Persian outlet runs NTREX lines 1461–1466 (Syria's foreign minister at the UN), an
  // Arabic outlet translates three of them 2 h 10 min later (tests/fixtures/carry, CC BY-SA 4.0).
  const carryRows = readFileSync(resolve(here, "../../tests/fixtures/carry/ntrex-syria.tsv"), "utf8")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => l.split("\t"));
  const carryLines = (from, to, col) => carryRows.filter((r) => Number(r[1]) >= from && Number(r[1]) <= to).map((r) => r[col]);
  const fa = carryLines(1461, 1466, 4);
  const ar = carryLines(1461, 1463, 3);
  feeds["/carry-fa.xml"] = rss("Carry origin (fa)", "fa", [
    { title: fa[0], link: "http://127.0.0.1/carry-fa-1", guid: "carry-fa-1", published: Date.UTC(2018, 8, 29, 16), description: fa.slice(1).join(" ") },
  ]);
  feeds["/carry-ar.xml"] = rss("Carry translation (ar)", "ar", [
    { title: ar[0], link: "http://127.0.0.1/carry-ar-1", guid: "carry-ar-1", published: Date.UTC(2018, 8, 29, 18, 10), description: ar.slice(1).join(" ") },
  ]);
  const carry = { faTitle: fa[0], arTitle: ar[0] };
  feeds["/hostile.xml"] = rss("Hostile fixture", "en", [
    {
      title: `<script>window.__pwned = "title"</script><img src=x onerror="window.__pwned='img'"> Hostile headline`,
      link: `javascript:window.__pwned='link'`,
      guid: "hostile-1",
      published: Date.UTC(2025, 9, 9, 12),
      description: `<p>Summary <script>window.__pwned='summary'</script><a href="javascript:window.__pwned='a'">click</a><img src="http://127.0.0.1:9/track.png"></p>`,
    },
  ]);
  // Full text: a headline-only Persian feed (so its source fetches articles automatically) whose
  // item links to a committed article page served below, and one that links to a PDF.
  const articleTitle = (name) =>
    readFileSync(resolve(here, `../../tests/fixtures/articles/${name}.html`), "utf8")
      .match(/<meta property="og:title" content="([^"]*)"/)[1];
  const goldFirst = readFileSync(resolve(here, "../../tests/fixtures/articles/fa-2-wiki.gold.txt"), "utf8").split("\n")[1];
  const fulltext = { title: articleTitle("fa-2-wiki"), first: goldFirst, pdfTitle: "گزارش سالانه به صورت پی‌دی‌اف" };
  feeds["/fulltext-fa.xml"] = rss("Headlines only (fa)", "fa", [
    { title: fulltext.title, link: "{{BASE}}/articles/fa-2-wiki", guid: "fulltext-fa-1", published: Date.UTC(2018, 8, 30, 9), description: "" },
    { title: fulltext.pdfTitle, link: "{{BASE}}/files/report.pdf", guid: "fulltext-fa-2", published: Date.UTC(2018, 8, 30, 10), description: "" },
  ]);
  // A watch typed in Latin letters: no served item spells "Trump" in Latin, the Persian items spell
  // it ترامپ, so every alert it raises is a cross-script match.
  const served = Object.values(feeds).flatMap((x) => x.split("<item>").slice(1));
  const watch = {
    term: "Trump",
    spelling: "ترامپ",
    latinItems: served.filter((i) => i.includes("Trump")).length,
    items: served.filter((i) => i.includes("ترامپ")).length,
  };
  return { feeds, events, meaning, carry, watch, fulltext };
}

/** Article pages served at /articles/NAME (the committed full-text fixtures) and one PDF. */
function article(path) {
  const m = /^\/articles\/([a-z]{2}-\d-[a-z]+)$/.exec(path);
  if (m) {
    try {
      return { type: "text/html; charset=utf-8", body: readFileSync(resolve(here, `../../tests/fixtures/articles/${m[1]}.html`)) };
    } catch {
      return null;
    }
  }
  if (path === "/files/report.pdf") return { type: "application/pdf", body: "%PDF-1.7 not a page" };
  return null;
}

export function serve(feeds) {
  const hits = new Map();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const page = article(path);
    if (page) {
      res.writeHead(200, { "content-type": page.type });
      res.end(page.body);
      return;
    }
    // Links to this server's own pages are written as {{BASE}}: its port is known only now.
    const body = feeds[path]?.replaceAll("{{BASE}}", `http://127.0.0.1:${server.address().port}`);
    if (!body) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" });
    res.end(body);
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () => ok({ server, hits, base: `http://127.0.0.1:${server.address().port}` })),
  );
}

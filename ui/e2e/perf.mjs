// Performance benchmark in the real app: the release binary under Xvfb, driven by tauri-driver and
// WebKitWebDriver, on a copy of a large archive (see `parallax bench archive`). Run through
// scripts/perf.sh. Every figure is a median over repetitions; timings inside the page are taken
// with performance.now() (no WebDriver round trip in them). Writes artifacts/perf-timings.json and
// screenshots to artifacts/perf/.
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";
import { sleep, waitFor as waitForEvery } from "./wait.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../..");
const app = resolve(process.env.PARALLAX_APP ?? join(process.env.CARGO_TARGET_DIR ?? join(repo, "target"), "release/parallax-app"));
const archive = process.env.PERF_ARCHIVE;
const launches = Number(process.env.PERF_LAUNCHES ?? 5);
const reps = Number(process.env.PERF_REPS ?? 9);
const out = resolve(repo, "artifacts");
const shots = join(out, "perf");
mkdirSync(shots, { recursive: true });

const median = (v) => {
  const s = v.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
const round = (x) => (x == null ? null : Math.round(x * 10) / 10);
const summary = (v) => ({ median: round(median(v)), min: round(Math.min(...v)), max: round(Math.max(...v)), n: v.length, all: v.map(round) });

const waitFor = (fn, what, timeout = 60_000) => waitForEvery(fn, what, timeout, 50);

// --- processes: the app and its WebKit children, read from /proc -------------------------------
const clkTck = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
const bootMs = Number(/btime (\d+)/.exec(readFileSync("/proc/stat", "utf8"))[1]) * 1000;

function procs() {
  const all = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const f = stat.slice(close + 2).split(" ");
      let exe = null;
      try {
        exe = readlinkSync(`/proc/${d}/exe`);
      } catch {
        // another user's process, or it just ended
      }
      all.push({ pid: Number(d), comm: stat.slice(stat.indexOf("(") + 1, close), ppid: Number(f[1]), start: Number(f[19]), exe });
    } catch {
      // the process ended while we read it
    }
  }
  return all;
}

/** The app process (its binary is ours) and every descendant (WebKitWebProcess, WebKitNetworkProcess). */
function appTree() {
  const all = procs();
  const root = all.filter((p) => p.exe === app).sort((a, b) => b.start - a.start)[0];
  if (!root) return null;
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const p of all) if (p.ppid === tree[i].pid) tree.push(p);
  return { root, tree, startedAtMs: bootMs + (root.start * 1000) / clkTck };
}

function memory(tree) {
  const rows = tree.map((p) => {
    const kb = (file, key) => {
      try {
        const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${p.pid}/${file}`, "utf8"));
        return m ? Number(m[1]) : null;
      } catch {
        return null;
      }
    };
    return { pid: p.pid, process: p.comm, rss_mb: round(kb("status", "VmRSS") / 1024), pss_mb: round(kb("smaps_rollup", "Pss") / 1024) };
  });
  const sum = (k) => round(rows.reduce((n, r) => n + (r[k] ?? 0), 0));
  return { processes: rows, total_rss_mb: sum("rss_mb"), total_pss_mb: sum("pss_mb") };
}

// --- in-page measurements -----------------------------------------------------------------------
let browser;
const exec = (script, ...args) => browser.execute(script, ...args);
const invoke = (cmd, args = {}) =>
  browser.executeAsync(
    (cmd, args, done) => window.__TAURI_INTERNALS__.invoke(cmd, args).then((r) => done({ ok: r }), (e) => done({ err: String(e?.message ?? JSON.stringify(e)) })),
    cmd,
    args,
  );

/** Key press on the stories list → story columns painted (the frame after they are in the DOM). */
function openStoryInPage(index) {
  return browser.executeAsync((index, done) => {
    const list = document.querySelector('[data-testid="stories-list"]');
    const rows = [...document.querySelectorAll("[data-story-id]")];
    const row = rows[Math.min(index, rows.length - 1)];
    if (!list || !row) return done({ err: "no story rows" });
    const id = row.getAttribute("data-story-id");
    const t0 = performance.now();
    row.click();
    const tick = () => {
      const cols = document.querySelector('[data-testid="columns"]');
      if (cols && cols.children.length) {
        const dom = performance.now() - t0;
        requestAnimationFrame(() =>
          setTimeout(() => {
            const painted = performance.now() - t0;
            const view = document.querySelector('[data-testid="story-view"]');
            const res = { id, dom_ms: dom, painted_ms: painted, ipc_ms: Number(view?.getAttribute("data-load-ms")), items: document.querySelectorAll('[data-testid="columns"] [data-item-id]').length };
            // The propagation chart may come a frame later: time it too.
            const chart = () => {
              if (document.querySelector(".chart svg")) {
                res.chart_ms = performance.now() - t0;
                done(res);
              } else if (performance.now() - t0 > 5_000) done(res);
              else requestAnimationFrame(chart);
            };
            chart();
          }, 0),
        );
      } else if (performance.now() - t0 > 10_000) done({ err: "columns did not appear" });
      else requestAnimationFrame(tick);
    };
    tick();
  }, index);
}

/** Submit a query → results painted. `data-ms` is the IPC part, measured by the view itself. */
function searchInPage(q) {
  return browser.executeAsync((q, done) => {
    const input = document.querySelector('[data-testid="search-input"]');
    const results = document.querySelector('[data-testid="search-results"]');
    if (!input || !results) return done({ err: "no search view" });
    const before = results.getAttribute("data-ms");
    const mark = results.textContent;
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.form.requestSubmit();
    const tick = () => {
      if (results.getAttribute("data-ms") !== before || results.textContent !== mark) {
        const dom = performance.now() - t0;
        requestAnimationFrame(() =>
          setTimeout(() => done({ q, dom_ms: dom, painted_ms: performance.now() - t0, ipc_ms: Number(results.getAttribute("data-ms")), hits: results.querySelectorAll("[data-item-id]").length }), 0),
        );
      } else if (performance.now() - t0 > 10_000) done({ err: `no results for ${q}` });
      else requestAnimationFrame(tick);
    };
    tick();
  }, q);
}

/** Scroll the virtualised stories list down in big steps, one per frame; frame times show jank.
 * A step that gets no frame within 1 s counts as a 1 s frame (rAF can stall under Xvfb). */
function scrollInPage(steps) {
  return browser.executeAsync((steps, done) => {
    const list = document.querySelector('[data-testid="stories-list"]');
    if (!list) return done({ err: "no list" });
    const frames = [];
    const t0 = performance.now();
    const frame = () => new Promise((r) => { const t = setTimeout(r, 1000); requestAnimationFrame(() => { clearTimeout(t); r(); }); });
    (async () => {
      for (let i = 0; i < steps && performance.now() - t0 < 20_000; i++) {
        const s = performance.now();
        list.scrollTop += list.clientHeight * 1.5;
        await frame();
        frames.push(performance.now() - s);
      }
      done({ frames, total_ms: performance.now() - t0, rows: document.querySelectorAll("[data-story-id]").length, scrollTop: list.scrollTop });
    })();
  }, steps);
}

async function back() {
  await browser.keys(["Escape"]);
  await waitFor(() => exec(() => !!document.querySelector('[data-testid="stories-list"] [data-story-id]')), "stories list again", 10_000);
}

async function main() {
  if (!archive || !existsSync(archive)) throw new Error(`PERF_ARCHIVE=${archive}: no archive (build one with \`parallax bench archive --db PATH\`)`);
  if (!existsSync(app)) throw new Error(`no app binary at ${app}: build it with scripts/perf.sh`);
  const tmp = mkdtempSync(join(tmpdir(), "parallax-perf-"));
  const db = join(tmp, "archive.db");
  copyFileSync(archive, db);
  const env = { ...process.env, PARALLAX_DB: db };
  const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", [], { env, stdio: ["ignore", "inherit", "inherit"] });
  const result = { archive, app, launches: [], load_before: loadavg().map(round), cpus: Number(execFileSync("nproc").toString()) };
  try {
    await waitFor(async () => (await fetch("http://127.0.0.1:4445/status")).ok, "WebKitWebDriver on :4445");
    await waitFor(async () => (await fetch("http://127.0.0.1:4444/status")).ok, "tauri-driver on :4444");
    const status = [];
    for (let n = 0; n < launches; n++) {
      const tSession = Date.now();
      browser = await remote({
        hostname: "127.0.0.1",
        port: 4444,
        logLevel: "warn",
        capabilities: { "tauri:options": { application: app }, "wdio:enforceWebDriverClassic": true },
      });
      await browser.setTimeout({ script: 60_000 });
      const tree = await waitFor(() => appTree(), "the app process", 10_000);
      const painted = await waitFor(
        () => exec(() => { const m = performance.getEntriesByName("parallax:first-stories")[0]; return m ? { origin: performance.timeOrigin, at: m.startTime } : null; }),
        "first stories painted",
        60_000,
      );
      const paintedAt = painted.origin + painted.at;
      const launch = {
        launch_to_first_stories_ms: paintedAt - tree.startedAtMs,
        session_request_to_first_stories_ms: paintedAt - tSession,
        navigation_to_first_stories_ms: painted.at,
        process_start_to_navigation_ms: painted.origin - tree.startedAtMs,
      };
      result.launches.push(launch);
      console.log(`launch ${n + 1}/${launches}: first stories ${round(launch.launch_to_first_stories_ms)} ms after process start (${round(painted.at)} ms after navigation)`);

      if (n === launches - 1) {
        await browser.setWindowSize?.(1400, 900).catch(() => {});
        await browser.saveScreenshot(join(shots, "01-stories.png"));
        const st = await invoke("status");
        status.push(st.ok ?? st);
        // Open stories: the first rows and rows further down (larger and smaller stories).
        const opens = [];
        for (let i = 0; i < reps; i++) {
          const r = await openStoryInPage(i % 6);
          if (r.err) throw new Error(r.err);
          opens.push(r);
          if (i === 0) await browser.saveScreenshot(join(shots, "02-story.png"));
          await back();
        }
        result.open_story = {
          painted_ms: summary(opens.map((r) => r.painted_ms)),
          dom_ms: summary(opens.map((r) => r.dom_ms)),
          ipc_ms: summary(opens.map((r) => r.ipc_ms)),
          chart_ms: summary(opens.map((r) => r.chart_ms ?? NaN).filter((x) => !Number.isNaN(x))),
          items: opens.map((r) => r.items),
          stories: opens.map((r) => r.id),
        };
        // Real key presses through WebDriver (includes the driver's own round trips).
        const keyed = [];
        for (let i = 0; i < Math.min(reps, 5); i++) {
          await exec(() => document.querySelector('[data-testid="stories-list"]')?.focus());
          const t0 = Date.now();
          await browser.keys(["Enter"]);
          await waitFor(() => exec(() => !!document.querySelector('[data-testid="columns"] > *')), "columns", 10_000);
          keyed.push(Date.now() - t0);
          await back();
        }
        result.open_story.webdriver_key_roundtrip_ms = summary(keyed);

        // Scrolling the stories list.
        const scrolls = [];
        for (let i = 0; i < 3; i++) {
          await exec(() => { const l = document.querySelector('[data-testid="stories-list"]'); if (l) l.scrollTop = 0; });
          await sleep(300);
          const r = await scrollInPage(60);
          if (r.err) throw new Error(r.err);
          scrolls.push(r);
        }
        await browser.saveScreenshot(join(shots, "03-stories-scrolled.png"));
        const frames = scrolls.flatMap((r) => r.frames);
        const sorted = [...frames].sort((a, b) => a - b);
        result.scroll = {
          frame_ms_median: round(median(frames)),
          frame_ms_p95: round(sorted[Math.floor(sorted.length * 0.95)]),
          frames_over_50ms: frames.filter((f) => f > 50).length,
          frames: frames.length,
          rows_in_dom: scrolls.at(-1).rows,
          scroll_top_px: scrolls.at(-1).scrollTop,
        };
        await exec(() => { const l = document.querySelector('[data-testid="stories-list"]'); if (l) l.scrollTop = 0; });

        // Search: wait for the model (semantic search is on when it is loaded), then queries in turn.
        const modelWait0 = Date.now();
        const model = await waitFor(async () => { const s = await invoke("status"); return s.ok?.model_loaded ? s.ok : null; }, "model loaded", 60_000).catch(() => null);
        result.model_loaded_after_session_ms = model ? Date.now() - modelWait0 : null;
        await (await browser.$('[data-nav="search"]')).click();
        await waitFor(() => exec(() => !!document.querySelector('[data-testid="search-input"]')), "search view");
        await sleep(500);
        const queries = ["اليمن", "ایران", "Trump tariffs", "النفط", "کرونا", "Gaza"];
        const searches = [];
        for (let i = 0; i < reps; i++) {
          const r = await searchInPage(queries[i % queries.length]);
          if (r.err) throw new Error(r.err);
          searches.push(r);
          await sleep(400); // let the view's own typing debounce (180 ms) settle before the next query
        }
        await browser.saveScreenshot(join(shots, "04-search.png"));
        result.search = {
          painted_ms: summary(searches.map((r) => r.painted_ms)),
          ipc_ms: summary(searches.map((r) => r.ipc_ms)),
          hits: searches.map((r) => `${r.q}:${r.hits}`),
          semantic: !!model,
          note: "from submit; typing adds the view's 180 ms debounce",
        };
        // Memory of the whole app once the model is loaded, after the views above were used.
        await sleep(1000);
        result.memory = { model_loaded: !!model, ...memory(appTree().tree) };
        result.status = status[0];
      }
      await browser.deleteSession();
      await sleep(500);
    }
    result.first_stories = {
      launch_to_first_stories_ms: summary(result.launches.map((l) => l.launch_to_first_stories_ms)),
      navigation_to_first_stories_ms: summary(result.launches.map((l) => l.navigation_to_first_stories_ms)),
      process_start_to_navigation_ms: summary(result.launches.map((l) => l.process_start_to_navigation_ms)),
    };
    result.load_after = loadavg().map(round);
  } finally {
    await browser?.deleteSession().catch(() => {});
    driver.kill();
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileSync(join(out, "perf-timings.json"), JSON.stringify(result, null, 2));
  const brief = {
    first_stories_ms: result.first_stories.launch_to_first_stories_ms.median,
    open_story_ms: result.open_story?.painted_ms.median,
    search_ms: result.search?.painted_ms.median,
    scroll_frame_ms: result.scroll?.frame_ms_median,
    memory_pss_mb: result.memory?.total_pss_mb,
    memory_rss_mb: result.memory?.total_rss_mb,
    load: result.load_after,
  };
  console.log(JSON.stringify(brief));
}

main().catch((e) => {
  console.error(`perf: ${e?.stack ?? e}`);
  process.exit(1);
});

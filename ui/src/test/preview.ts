// Browser preview (vite dev, /preview.html): the real UI over the fake backend and real
// story items (the committed ITN fixture), for layout work without building the Rust app. Never part of the build.
import "@fontsource/vazirmatn/400.css";
import "@fontsource/vazirmatn/700.css";
import "@fontsource/noto-naskh-arabic/arabic-400.css";
import "@fontsource/noto-naskh-arabic/arabic-700.css";
import "../app.css";
import { mount } from "svelte";
import App from "../App.svelte";
import { fakeBackend, type Row } from "./fakeBackend";
import coverage from "../../../tests/fixtures/text/stories/itn-ar-fa-en.jsonl?raw";

const rows = coverage
  .split("\n")
  .filter((l: string) => l.trim())
  .map((l: string) => JSON.parse(l) as Row);
mount(App, { target: document.getElementById("app")!, props: { backend: fakeBackend(rows) } });

import "@fontsource/vazirmatn/400.css";
import "@fontsource/vazirmatn/700.css";
import "@fontsource/noto-naskh-arabic/arabic-400.css";
import "@fontsource/noto-naskh-arabic/arabic-700.css";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { tauriBackend } from "./lib/backend/tauri";

const target = document.getElementById("app")!;

function showFatal(e: unknown) {
  // A blank window helps nobody: say what broke.
  const p = document.createElement("pre");
  p.setAttribute("role", "alert");
  p.dataset.testid = "fatal";
  p.textContent = `Parallax hit an error in its interface: ${e instanceof Error ? `${e.message}\n${e.stack}` : String(e)}`;
  target.replaceChildren(p);
}

// Svelte tears the tree down on an uncaught error in an effect; leave the reason on screen.
window.addEventListener("error", (ev) => {
  if (!target.querySelector(".shell")) showFatal(ev.error ?? ev.message);
});
window.addEventListener("unhandledrejection", (ev) => {
  if (!target.querySelector(".shell")) showFatal(ev.reason);
});

try {
  mount(App, { target, props: { backend: tauriBackend } });
} catch (e) {
  showFatal(e);
  throw e;
}

// Free loopback ports for the E2E harnesses (run.mjs, team.mjs).
import { createServer } from "node:net";

/** `n` distinct free ports: each listener stays open until all are chosen, so the system cannot
 * hand the same port out twice (tauri-driver and WebKitWebDriver once got one port each time). */
export async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      await new Promise((ok, fail) => {
        srv.once("error", fail);
        srv.listen(0, "127.0.0.1", ok);
      });
      servers.push(srv);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((ok) => s.close(() => ok()))));
  }
}

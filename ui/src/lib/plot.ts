// Observable Plot on demand: the story timeline is the only chart, and Plot with d3 is a third of
// the bundle, so it is fetched (from the app's own assets) when the first story is opened.
let plot: Promise<typeof import("@observablehq/plot")> | null = null;

export function loadPlot(): Promise<typeof import("@observablehq/plot")> {
  plot ??= import("@observablehq/plot");
  return plot;
}

// Recreates frontend/dist/.gitkeep after `vite build` empties the folder:
// the Go binary embeds frontend/dist with //go:embed all:dist, which needs
// the folder (and a committed file in it) to exist even before a build.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, ".gitkeep"), "");

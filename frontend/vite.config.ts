import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
// The Go server (`wegweiser serve`) during `npm run dev`.
const backend = process.env.WEGWEISER_DEV_BACKEND ?? "http://127.0.0.1:8080";

export default defineConfig({
  root,
  // Keep caches in the one node_modules at the repository root.
  cacheDir: fileURLToPath(new URL("../node_modules/.vite/frontend", import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("./dist", import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
  },
  server: {
    proxy: {
      // Connect RPCs: /wegweiser.v1.AuthService/Login and friends.
      "^/wegweiser\\.": { target: backend, changeOrigin: false },
      "/healthz": backend,
      "/readyz": backend,
    },
  },
});

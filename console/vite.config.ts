// Builds the console into the Python package, where api/console.py serves it at /console/.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/console/",
  build: {
    outDir: "../api/console_static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
});

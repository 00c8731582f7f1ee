/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build goes into the Python package: FastAPI serves it at / and /assets.
const outDir = fileURLToPath(new URL("../src/segmint/webapp", import.meta.url));

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    // Libraries in chunks of their own (cached across releases of the app's code), so that no
    // chunk passes Vite's 500 kB warning; the charts (the largest) load with the first details
    // page (TrendChart is imported lazily). A group takes only the modules it matches, not
    // their dependencies: React stays in its own chunk.
    rolldownOptions: {
      output: {
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [
            { name: "react", test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 40 },
            { name: "charts", test: /node_modules[\\/](recharts|d3-[a-z-]+|internmap|victory-vendor|decimal\.js-light)[\\/]/, priority: 30 },
            { name: "querybuilder", test: /node_modules[\\/]react-querybuilder[\\/]/, priority: 20 },
            { name: "vendor", test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8765" },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});

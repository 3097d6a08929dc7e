import { defineConfig } from "vitest/config";

// Unit tests of pure code; integration tests sharing one real control plane
// (etcd, kube-apiserver, controller-manager) per run; end-to-end tests that
// drive the built `bin/caravan` as a user does.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 180_000,
        },
      },
    ],
  },
});

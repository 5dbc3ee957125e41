// @swc/jest strips types only; `tsc --noEmit` in `npm test` type-checks once for the whole tree.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] };
const common = { testEnvironment: "node", transform, setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"] };

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/__tests__/**/*.test.ts"], testPathIgnorePatterns: ["\\.int\\.test\\.ts$"] },
    { ...common, displayName: "integration", testMatch: ["<rootDir>/__tests__/**/*.int.test.ts"] },
  ],
};

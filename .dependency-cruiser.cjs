// The project's layers (docs/architecture.md): functions -> pipeline -> (storage, reports) -> analysis -> audit.
// Each rule forbids the arrows that would run upward or sideways; test/architecture/layers.test.ts runs them.
const layer = (name) => `^src/${name}/`;

/** What each folder of src/ may import from the other folders of src/ (the settings and helper modules at the top of src/ are open to all). */
const ALLOWED = {
  functions: ['pipeline', 'storage', 'dashboard'],
  local: ['pipeline', 'storage', 'audit'],
  cli: ['reports', 'analysis', 'audit', 'generator', 'storage'],
  pipeline: ['storage', 'reports', 'analysis', 'audit', 'collector', 'graph'],
  storage: ['analysis', 'audit'],
  reports: ['analysis', 'audit'],
  collector: [],
  graph: ['collector', 'audit'],
  analysis: ['audit'],
  audit: [],
  generator: ['audit'],
  dashboard: [],
};

const folders = Object.keys(ALLOWED);

module.exports = {
  forbidden: [
    ...folders.map((from) => ({
      name: `layers-${from}`,
      comment: `src/${from} may import only ${ALLOWED[from].length ? ALLOWED[from].map((f) => `src/${f}`).join(', ') : 'nothing else in src'} (and the settings and helper modules)`,
      severity: 'error',
      from: { path: layer(from) },
      to: {
        path: '^src/',
        pathNot: [
          layer(from),
          '^src/(names\\.(ts|json)|privacyMode\\.ts|concurrency\\.ts|errors\\.ts|hostSettings\\.ts)$',
          ...ALLOWED[from].map(layer),
        ],
      },
    })),
    {
      name: 'no-circular',
      comment: 'a cycle ties modules into one piece that cannot be understood or tested alone',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-from-test',
      comment: 'production code never imports tests, the benchmark or scripts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/dashboard/web/' },
    // Type-only imports count: a layer that needs another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};

// Which README commands the tests run, and the short list of those they cannot run, each with its
// reason. readmeCoverage.test.ts fails when the README has a command in neither list, or when a
// list names a command the README no longer has.

/** Run in order by cliCommands.test.ts, in a work folder holding `dist` and `docs/examples`. */
export const CLI_COMMANDS = [
  'node dist/src/cli/main.js generate --records 5000 --seed 42 --out meetings.csv',
  'node dist/src/cli/main.js -d meetings.csv',
  'teams-audit -d meetings.csv',
  'npx teams-audit -d meetings.csv',
  'teams-audit -d --format csv meetings.csv > drops.csv',
  'teams-audit --report summary meetings.csv',
  'teams-audit --report summary --group-by site --site-map docs/examples/sitemap.csv meetings.csv',
  'teams-audit -o meetings.csv > meetings-list.csv',
  'teams-audit --compat tala -d meetings.csv',
  'teams-audit meetings.csv -d',
  'node -p "v8.getHeapStatistics().heap_size_limit / 2**20"',
  'NODE_OPTIONS=--max-old-space-size=8192 teams-audit …',
] as const;

/** Run in order by pipelineCommands.test.ts against the test Azurite and a local host on a free port. */
export const PIPELINE_COMMANDS = [
  'npm start',
  'PORT=7072 npm start',
  'LOCAL_STORAGE_CONNECTION=<connection string> npm start',
  'LOCAL_STORAGE_CONNECTION=UseDevelopmentStorage=true npm start',
  'npx teams-audit generate --records 5000 --out sample.csv',
  'npx teams-audit upload --container audit-config docs/examples/sitemap.csv docs/examples/users.csv',
  'npx teams-audit upload sample.csv',
  'curl -X POST -H "x-functions-key: $(cat .tmp/local-host/admin-key)" http://localhost:7071/admin/functions/analyzeDisconnections',
  'curl "http://localhost:7071/api/disconnections?format=csv"',
] as const;

export type CliCommand = (typeof CLI_COMMANDS)[number];
export type PipelineCommand = (typeof PIPELINE_COMMANDS)[number];

export interface NotRun {
  /** The command as the README writes it, or a pattern for a family of commands. */
  command: string | RegExp;
  reason: string;
}

/** Commands no test runs. Keep it short: a command a test can run belongs in a list above. */
export const NOT_RUN: readonly NotRun[] = [
  {
    command: /^npm (install|ci)$/,
    reason: 'installs the dependencies (CI runs `npm ci` before the tests); a test must not change node_modules',
  },
  { command: 'npm test', reason: 'runs these tests' },
  {
    command: 'npm run format',
    reason: 'rewrites the sources with Prettier; `npm test` checks that nothing is left to rewrite',
  },
  {
    command: 'npm run render:workbook',
    reason:
      'rebuilds and rewrites docs/log-analytics-workbook.png; test/infra/logAnalytics/workbookMeaning.test.ts runs the same renderer on the same sample into a temp folder',
  },
  { command: 'npm run test:node22', reason: 'runs these tests again on Node 22 (CI runs it)' },
  {
    command: 'npm run package',
    reason: 'the deployment package: test/deploy/ runs scripts/package.mjs, what this script runs after the build',
  },
  {
    command: /^npm ci --omit=dev( --ignore-scripts)?$/,
    reason: 'run by scripts/package.mjs inside the package folder (test/deploy/)',
  },
  { command: 'node scripts/package.mjs', reason: 'what `npm run package` runs after the build: test/deploy/ runs it' },
  { command: 'node dist/src/cli/main.js', reason: 'names the program; the quick start runs it with arguments' },
  {
    command: /^(app|HOST|ROLE_ID|GRAPH_APP_ID)=/,
    reason: 'sets a shell variable for the Azure commands that follow it',
  },
  {
    command: /^(\$\w+ = |Connect-MgGraph |New-MgServicePrincipalAppRoleAssignment )/,
    reason: 'Microsoft Graph PowerShell against a tenant (granting the app a Graph permission)',
  },
  {
    command: /^cat > \S+\.json <<EOF /,
    reason: 'writes the JSON body of the Azure command that follows it (needs a tenant)',
  },
  { command: 'npm run build', reason: '`npm test` runs it before any test; these tests run its output' },
  { command: 'npm link', reason: "writes to npm's global prefix on the machine" },
  { command: 'npm config set prefix ~/.npm-global', reason: "changes the user's npm configuration" },
  { command: /^CHROMIUM_PATH=\S+ npm test$/, reason: 'runs the whole test suite with another browser' },
  { command: '.ci/run', reason: "CI's entry point: a clean `npm ci` and the whole `npm test`" },
  { command: 'func start', reason: 'needs the Azure Functions Core Tools' },
  {
    command: 'npx azurite --skipApiVersionCheck --location .azurite',
    reason:
      "the Core Tools path: Azurite on the fixed ports 10000-10002, which a test cannot count on (the tests' Azurite uses free ports)",
  },
  {
    command: 'UPDATE_README_SCREENSHOT=1 node scripts/run-tests.mjs test/dashboard/dashboard',
    reason: 'the dashboard test file, which `npm test` runs',
  },
  {
    command: /^(TALA_PY=\S+ )?npm run bench( .*)?$/,
    reason: 'takes minutes and writes about 1.2 GB of inputs to bench/out/ (TALA_PY also needs Python and tala.py)',
  },
  {
    command: 'node dist/src/cli/main.js -d mixed-50k-v3.csv > /dev/null',
    reason: "the benchmark's timed command, on an input the benchmark generates",
  },
  {
    command: 'node --require dist/bench/probes/maxRss.js',
    reason: 'says how the benchmark loads its memory probe; not a whole command',
  },
  { command: 'teams-audit -d', reason: 'a case label in the benchmark table' },
  { command: 'teams-audit --compat tala -d', reason: 'a case label in the benchmark table' },
  { command: 'teams-audit generate', reason: 'names the generator; the quick starts run it with options' },
  { command: 'teams-audit upload', reason: 'names the upload command; the quick start runs it with files' },
  { command: 'npx teams-audit FILE...', reason: 'the CLI on your own files, a placeholder' },
  {
    command: /^(npx )?teams-audit erase( .*)?$/,
    reason:
      "erases a person from the storage it is given: test/pipeline/erase.test.ts runs the command's code (runErase) against the test Azurite",
  },
  { command: 'az bicep', reason: 'names the Bicep tool, which test/infra runs when it is installed' },
  {
    command: /(^|[\s$(])azd? /,
    reason: 'needs an Azure subscription and the Azure CLI or Azure Developer CLI signed in',
  },
  { command: 'unset secret', reason: 'clears the shell variable of the Azure secret example' },
  { command: /\$REPORTS_BASE_URL/, reason: 'calls the app deployed in Azure' },
  {
    command: /^REPORTS_KEY=<host key> node dist\/src\/dashboard\/remoteDashboard\.js /,
    reason:
      'forwards to the app deployed in Azure (test/dashboard/remoteDashboard.test.ts runs it against a local key gate)',
  },
  { command: /^(\.\/)?infra\/hooks\/postdeploy\./, reason: 'the post-deploy step of `azd up`: needs the deployed app' },
  { command: /^(Get|Set)-AdminAuditLogConfig /, reason: 'Exchange Online PowerShell in a Microsoft 365 tenant' },
];

export function notRunEntry(text: string): NotRun | undefined {
  return NOT_RUN.find((entry) =>
    typeof entry.command === 'string' ? entry.command === text : entry.command.test(text),
  );
}

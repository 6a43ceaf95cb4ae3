import { COMMON_ENV, type EnvVariable } from '@koodi/contracts';

/** A variable read by the tools (stack runner, tests, bench, images), and who reads it. */
export interface ToolVariable extends EnvVariable {
  /** Names the commands that read it, for the README's "used by" column. */
  readonly usedBy: string;
}

/**
 * The environment of the commands in tools/ and of the web app's development and test setup.
 * The README's configuration table is generated from this list and from the apps' own
 * (`npm run docs:config`); config.spec.ts checks that each is really read.
 */
export const TOOLS_ENV: Readonly<Record<string, ToolVariable>> = {
  DATABASE_URL: {
    ...COMMON_ENV.DATABASE_URL,
    usedBy: 'tools',
    defaultText: 'a local server in `.data/`',
  },
  REDIS_URL: {
    ...COMMON_ENV.REDIS_URL,
    usedBy: 'tools',
    defaultText: 'a local server in `.data/`',
  },
  PORT: {
    description: 'where NGINX listens locally (`npm test` takes a free port if it is busy)',
    secret: false,
    default: '8080',
    usedBy: '`npm start`, `npm test`',
  },
  CONTENT_DIR: {
    description: 'the assignments to validate and sync',
    secret: false,
    default: 'content/',
    usedBy: '`npm run content:sync`',
  },
  CONTENT_SANDBOX_SLOTS: {
    description: 'sandboxes used to validate the assignments',
    secret: false,
    defaultText: 'number of cores, at most 4',
    usedBy: '`npm run content:sync`',
  },
  BASE_URL: {
    description: 'the stack the end-to-end tests and k6 scripts drive',
    secret: false,
    default: 'http://localhost:8080',
    usedBy: 'end-to-end tests, k6',
  },
  CHROMIUM_PATH: {
    description: 'the browser the end-to-end tests drive',
    secret: false,
    default: '/usr/bin/chromium',
    usedBy: 'end-to-end tests',
  },
  E2E_WORKERS: {
    description: 'browsers run at once by the end-to-end tests',
    secret: false,
    default: '2',
    usedBy: 'end-to-end tests',
  },
  API_URL: {
    description: 'where `astro dev` forwards `/api`',
    secret: false,
    default: 'http://127.0.0.1:3000',
    usedBy: '`nx serve web`',
  },
  BENCH_URL: {
    description: 'a running stack to measure instead of starting one (no memory figures then)',
    secret: false,
    defaultText: 'its own stack',
    usedBy: '`npm run bench`',
  },
  BENCH_RUNS: {
    description: 'runs per HTTP scenario; the median is reported',
    secret: false,
    default: '3',
    usedBy: '`npm run bench`',
  },
  BENCH_SECONDS: {
    description: 'seconds per run',
    secret: false,
    default: '5',
    usedBy: '`npm run bench`',
  },
  BENCH_VERDICT_SAMPLES: {
    description: 'submissions timed from POST to verdict event',
    secret: false,
    default: '200',
    usedBy: '`npm run bench`',
  },
  GRADER_TEST_LOG_LEVEL: {
    description: 'LOG_LEVEL of the graders the grader tests start in-process',
    secret: false,
    default: 'error',
    usedBy: '`nx test-int grader`',
  },
  KOODI_STACK_VERBOSE: {
    description: 'any value: the test targets print how they find or start PostgreSQL and Redis',
    secret: false,
    defaultText: 'unset',
    usedBy: 'test targets',
  },
  KOODI_IMAGE_PREFIX: {
    description: 'image names, `<prefix>/api` and so on',
    secret: false,
    default: 'koodi',
    usedBy: 'Compose',
  },
  KOODI_TAG: { description: 'image tag', secret: false, default: 'latest', usedBy: 'Compose' },
  KOODI_HTTP_PORT: {
    description: 'the port Compose publishes NGINX on',
    secret: false,
    defaultText: '`8080` (Compose), a free port (image smoke test)',
    usedBy: 'Compose, image smoke test',
  },
  KOODI_HTTPS_PORT: {
    description:
      "the port Compose publishes NGINX's HTTPS server on ([TLS](docs/OPERATIONS.md#tls))",
    secret: false,
    defaultText: '`8443` (Compose), a free port (image smoke test)',
    usedBy: 'Compose, image smoke test',
  },
  KOODI_SECRETS_DIR: {
    description:
      'folder of env files with `POSTGRES_PASSWORD`, `DATABASE_URL`, `COOKIE_SECRET`, and `tls/` with the HTTPS certificate and key (the files are secret)',
    secret: false,
    default: './secrets',
    usedBy: 'Compose',
  },
  KOODI_GRADER_SECCOMP: {
    description:
      "absolute path of the graders' seccomp profile when the Compose tool does not resolve it beside compose.yml",
    secret: false,
    default: './compose.grader-seccomp.json',
    usedBy: 'Compose',
  },
  NODE_EXTRA_CA_CERTS: {
    description:
      'an extra CA for registry traffic, passed to builds as secret `ca`, never baked in',
    secret: false,
    defaultText: 'unset',
    usedBy: 'image builds',
  },
};

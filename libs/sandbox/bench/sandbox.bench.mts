// Sandbox benchmark: per-job latency (one job at a time) and throughput with N slots, for a small
// passing submission. Run with `npx nx run sandbox:bench` (builds the lib first).
//   node libs/sandbox/bench/sandbox.bench.mts [--slots N] [--jobs N] [--json]
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sandbox from '../dist/index.js';
import type { SandboxJob } from '../dist/index.js';

const { SandboxPool } = sandbox;

const { values } = parseArgs({
  options: {
    slots: { type: 'string', default: String(availableParallelism()) },
    jobs: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const slots = Number(values.slots);
const jobs = Number(values.jobs);

const job: SandboxJob = {
  moduleName: 'hello',
  code: 'def hello():\n    return "Hello"\n',
  testCode:
    'import unittest\nfrom hello import hello\n\n\nclass HelloTest(unittest.TestCase):\n' +
    '    def test_returns_hello(self):\n        self.assertEqual(hello(), "Hello")\n\n' +
    '    def test_returns_a_string(self):\n        self.assertIsInstance(hello(), str)\n',
  limits: { cpuSeconds: 2, wallSeconds: 5, memoryMb: 256, outputKb: 64 },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const pool = new SandboxPool({ slots });
  const startAt = performance.now();
  await pool.start();
  const startupMs = performance.now() - startAt;

  for (let i = 0; i < 100; i++) await pool.run(job); // warm-up

  // Latency: one job at a time, measured around pool.run().
  const latencies: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const t0 = performance.now();
    const result = await pool.run(job);
    latencies.push(performance.now() - t0);
    cpuTimes.push(result.cpuMs ?? Number.NaN);
    if (result.verdict !== 'passed')
      throw new Error(`unexpected verdict ${result.verdict}: ${result.feedback.summary}`);
  }
  latencies.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);

  // Throughput: keep every slot busy (two jobs in flight per slot).
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (done + failed < jobs) {
      const result = await pool.run(job);
      if (result.verdict === 'passed') done++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: slots * 2 }, worker));
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();

  const report = {
    scenario: 'sandbox small passing submission',
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    slots,
    jobs,
    startupMs: Math.round(startupMs),
    latencyMs: {
      p50: +percentile(latencies, 50).toFixed(2),
      p90: +percentile(latencies, 90).toFixed(2),
      p99: +percentile(latencies, 99).toFixed(2),
      max: +latencies[latencies.length - 1].toFixed(2),
    },
    // CPU time of the job's own process: what a job costs, whatever else the machine is doing.
    jobCpuMs: {
      p50: +percentile(cpuTimes, 50).toFixed(2),
      p99: +percentile(cpuTimes, 99).toFixed(2),
    },
    loadAverage: loadavg().map((l) => +l.toFixed(2)),
    throughput: { jobsPerSecond: Math.round((done + failed) / seconds), failed },
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(
    `sandbox bench: ${report.cpu}, ${report.cores} cores, ${slots} slots, ${jobs} jobs per phase`,
  );
  console.log(`  pool start            ${report.startupMs} ms`);
  console.log(
    `  latency (sequential)  p50 ${report.latencyMs.p50} ms   p90 ${report.latencyMs.p90} ms   p99 ${report.latencyMs.p99} ms   max ${report.latencyMs.max} ms`,
  );
  console.log(
    `  job CPU time          p50 ${report.jobCpuMs.p50} ms   p99 ${report.jobCpuMs.p99} ms`,
  );
  console.log(
    `  load average          ${report.loadAverage.join(' ')} (quote runs on a quiet machine)`,
  );
  console.log(
    `  throughput (${slots} slots)  ${report.throughput.jobsPerSecond} jobs/s   non-passed ${failed}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * Replays a class's burst of submissions against the graders and KEDA's scaling rule and prints
 * submit → verdict percentiles for each minReplicaCount, so the floor for class hours can be
 * read off. Model and figures: tools/capacity/model.ts, docs/OPERATIONS.md ("Capacity").
 *
 *   node tools/capacity/simulate.ts [--students 300] [--window 60] [--rate 80] [--pod-start 20]
 *                                   [--min 1] [--phase 0] [--target-ms 1000]
 */
import { parseArgs } from 'node:util';
import {
  arrivals,
  MEASURED,
  podsNeeded,
  simulate,
  type BurstProfile,
  type CapacityParameters,
} from './model.ts';

const PROFILES: BurstProfile[] = ['uniform', 'poisson', 'front', 'instant'];

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '300' },
    window: { type: 'string', default: '60' },
    rate: { type: 'string', default: String(MEASURED.jobsPerSecondPerPod) },
    'pod-start': { type: 'string', default: String(MEASURED.podStartSeconds) },
    min: { type: 'string', default: String(MEASURED.keda.minReplicas) },
    phase: { type: 'string', default: String(MEASURED.keda.hpaPhaseSeconds) },
    'target-ms': { type: 'string', default: '1000' },
  },
});
const number = (name: keyof typeof values, min: number): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${name} must be a number ≥ ${min}, got "${values[name]}"`);
    process.exit(2);
  }
  return value;
};
const students = number('students', 1);
const window = number('window', 0.001);
const targetMs = number('target-ms', 1);
const parameters: CapacityParameters = {
  ...MEASURED,
  jobsPerSecondPerPod: number('rate', 0.001),
  podStartSeconds: number('pod-start', 0),
  keda: { ...MEASURED.keda, minReplicas: number('min', 0), hpaPhaseSeconds: number('phase', 0) },
};

const ms = (value: number) => `${Math.round(value)} ms`.padStart(9);
console.log(
  `${students} submissions in ${window} s; a pod grades ${parameters.jobsPerSecondPerPod}/s with ${parameters.slots} slots, ` +
    `starts in ${parameters.podStartSeconds} s; KEDA: list target ${parameters.keda.listLengthTarget}, HPA sync ${parameters.keda.hpaSyncSeconds} s, ` +
    `min ${parameters.keda.minReplicas}, max ${parameters.keda.maxReplicas}\n`,
);
console.log(
  'profile    p50        p99        max        peak pods  drained   pods for p99 < target',
);
for (const profile of PROFILES) {
  const times = arrivals(profile, students, window);
  const result = simulate(times, parameters);
  const needed = podsNeeded(times, parameters, targetMs);
  console.log(
    `${profile.padEnd(9)}${ms(result.p50Ms)}  ${ms(result.p99Ms)}  ${ms(result.maxMs)}  ${String(result.peakReplicas).padStart(9)}  ` +
      `${`${result.drainedAtSeconds.toFixed(1)} s`.padStart(8)}   ${needed ? `minReplicaCount ${needed.minReplicas} (p99 ${Math.round(needed.result.p99Ms)} ms)` : 'not within maxReplicas'}`,
  );
}

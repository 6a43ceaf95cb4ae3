/**
 * A small model of grading capacity: submissions arrive, wait on the one grading list, and are
 * taken by grader pods (each `slots` jobs at a time, `jobsPerSecondPerPod` in all) whose number
 * KEDA sets from the list's length the way infra/k8s/keda.yaml configures it. It steps time in
 * `stepMs` ticks, so every figure it reports is exact to about one tick. docs/OPERATIONS.md
 * ("Capacity") explains the figures it starts from.
 */

/** Measured figures (docs/PERFORMANCE.md) and the scaling rule of infra/k8s/keda.yaml. */
export interface CapacityParameters {
  /** Jobs one grader pod finishes per second (its slots together). */
  jobsPerSecondPerPod: number;
  /** Sandboxes per pod (GRADER_SLOTS); each job holds one for slots / jobsPerSecondPerPod. */
  slots: number;
  /** Submit → verdict time outside the queue and the sandbox: POST, queue hop, commit, event. */
  overheadMs: number;
  /** Seconds from KEDA's decision to a pod taking jobs (schedule, start, warm the zygotes). */
  podStartSeconds: number;
  keda: KedaRule;
  stepMs: number;
}

export interface KedaRule {
  minReplicas: number;
  maxReplicas: number;
  /** `listLength`: waiting jobs per pod the HPA aims at. */
  listLengthTarget: number;
  /** `activationListLength`: above it, KEDA wakes a workload scaled to zero. */
  activationListLength: number;
  /** `pollingInterval`: how often KEDA looks at the list for activation and cooldown. */
  pollingIntervalSeconds: number;
  /** The HPA controller's sync period (kube-controller-manager, 15 s by default). */
  hpaSyncSeconds: number;
  /** Seconds into the first sync period at which the burst starts (0 = right after a sync). */
  hpaPhaseSeconds: number;
  /** HPA scale-up: at most max(this many pods, 100 %) more per sync (the HPA's default policy). */
  scaleUpPods: number;
  /** advanced.horizontalPodAutoscalerConfig.behavior.scaleDown: window, then 1 pod per period. */
  scaleDownStabilizationSeconds: number;
  scaleDownPeriodSeconds: number;
  /** `cooldownPeriod`: idle seconds before KEDA scales to zero (only when minReplicas is 0). */
  cooldownSeconds: number;
}

export const MEASURED: CapacityParameters = {
  // One grader with 2 slots: median 165 graded/s end to end on 2 shared cores (grader:bench);
  // about 6.5 ms of CPU per job. A pod asks for 1 core, so half of that is its share.
  jobsPerSecondPerPod: 80,
  slots: 2,
  // Submit → verdict at 20/s measured p50 16–17 ms including one ~4 ms sandbox run.
  overheadMs: 15,
  podStartSeconds: 20,
  keda: {
    minReplicas: 1,
    maxReplicas: 30,
    listLengthTarget: 20,
    activationListLength: 0,
    pollingIntervalSeconds: 5,
    hpaSyncSeconds: 15,
    hpaPhaseSeconds: 0,
    scaleUpPods: 4,
    scaleDownStabilizationSeconds: 300,
    scaleDownPeriodSeconds: 60,
    cooldownSeconds: 300,
  },
  stepMs: 1,
};

export type BurstProfile = 'uniform' | 'front' | 'instant' | 'poisson';

/**
 * Arrival times (seconds) of `students` submissions within `windowSeconds`: `uniform` evenly
 * spread; `front` most of them early (the i-th at window·(i/n)³, half within the first eighth);
 * `instant` all within the first second; `poisson` random at a constant rate (seeded).
 */
export function arrivals(
  profile: BurstProfile,
  students: number,
  windowSeconds: number,
  seed = 1,
): number[] {
  const times: number[] = [];
  if (profile === 'poisson') {
    const random = mulberry32(seed);
    const rate = students / windowSeconds;
    let t = 0;
    for (let i = 0; i < students; i++) times.push((t += -Math.log(1 - random()) / rate));
    return times.map((time) => Math.min(time, windowSeconds));
  }
  const span = profile === 'instant' ? Math.min(1, windowSeconds) : windowSeconds;
  for (let i = 0; i < students; i++) {
    const share = i / students;
    times.push(profile === 'front' ? span * share ** 3 : span * share);
  }
  return times;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The replica count the HPA asks for: ceil(list / target), clamped, with the scale-up limit. */
export function hpaDesired(listLength: number, current: number, rule: KedaRule): number {
  const wanted = Math.ceil(listLength / rule.listLengthTarget);
  const ceiling = current + Math.max(rule.scaleUpPods, current);
  return Math.max(rule.minReplicas, Math.min(rule.maxReplicas, wanted, ceiling));
}

export interface ScalingEvent {
  atSeconds: number;
  replicas: number;
  waiting: number;
}

export interface SimulationResult {
  /** Submit → verdict of each submission, in arrival order. */
  latenciesMs: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Each change of the replica count KEDA/HPA asked for. */
  scaling: ScalingEvent[];
  peakReplicas: number;
  /** When the last verdict was written. */
  drainedAtSeconds: number;
}

interface Pod {
  readyAtMs: number;
  slotsFreeAtMs: number[];
}

/**
 * Replays `arrivalSeconds` against the graders and KEDA, bounded by `limitSeconds` of model time;
 * `afterDrainSeconds` keeps it running past the last verdict to watch the scale-in.
 */
export function simulate(
  arrivalSeconds: number[],
  parameters: CapacityParameters,
  {
    limitSeconds = 3_600,
    afterDrainSeconds = 0,
  }: { limitSeconds?: number; afterDrainSeconds?: number } = {},
): SimulationResult {
  const { keda: rule, stepMs } = parameters;
  const serviceMs = (parameters.slots / parameters.jobsPerSecondPerPod) * 1000;
  const arrivalsMs = [...arrivalSeconds].sort((a, b) => a - b).map((s) => s * 1000);
  const latencies: number[] = [];
  const waiting: number[] = [];
  const pods: Pod[] = [];
  const addPod = (readyAtMs: number) =>
    pods.push({ readyAtMs, slotsFreeAtMs: Array<number>(parameters.slots).fill(readyAtMs) });
  for (let i = 0; i < rule.minReplicas; i++) addPod(0);

  const scaling: ScalingEvent[] = [{ atSeconds: 0, replicas: pods.length, waiting: 0 }];
  const history: { atMs: number; desired: number }[] = [];
  let next = 0;
  let lastScaleDownMs = -Infinity;
  let lastActiveMs = 0;
  let drainedAtMs = 0;
  const syncMs = rule.hpaSyncSeconds * 1000;
  const firstSyncMs = ((rule.hpaSyncSeconds - rule.hpaPhaseSeconds) % rule.hpaSyncSeconds) * 1000;

  for (let now = 0; now <= limitSeconds * 1000; now += stepMs) {
    while (next < arrivalsMs.length && arrivalsMs[next] <= now) waiting.push(arrivalsMs[next++]);

    for (const pod of pods) {
      if (pod.readyAtMs > now) continue;
      for (let slot = 0; slot < pod.slotsFreeAtMs.length && waiting.length > 0; slot++) {
        if (pod.slotsFreeAtMs[slot] > now) continue;
        const arrived = waiting.shift()!;
        const done = now + serviceMs;
        pod.slotsFreeAtMs[slot] = done;
        latencies.push(done - arrived + parameters.overheadMs);
        drainedAtMs = Math.max(drainedAtMs, done);
      }
    }
    if (waiting.length > 0 || pods.some((pod) => pod.slotsFreeAtMs.some((free) => free > now)))
      lastActiveMs = now;

    // KEDA wakes a workload scaled to zero on its own polling interval; the HPA does the rest.
    if (
      pods.length === 0 &&
      now % (rule.pollingIntervalSeconds * 1000) === 0 &&
      waiting.length > rule.activationListLength
    ) {
      addPod(now + parameters.podStartSeconds * 1000);
      scaling.push({ atSeconds: now / 1000, replicas: 1, waiting: waiting.length });
    }
    if (pods.length > 0 && now >= firstSyncMs && (now - firstSyncMs) % syncMs === 0) {
      const desired = hpaDesired(waiting.length, pods.length, rule);
      history.push({ atMs: now, desired });
      const windowed = Math.max(
        ...history
          .filter((h) => h.atMs > now - rule.scaleDownStabilizationSeconds * 1000)
          .map((h) => h.desired),
      );
      if (desired > pods.length) {
        while (pods.length < desired) addPod(now + parameters.podStartSeconds * 1000);
        scaling.push({ atSeconds: now / 1000, replicas: pods.length, waiting: waiting.length });
      } else if (
        windowed < pods.length &&
        now - lastScaleDownMs >= rule.scaleDownPeriodSeconds * 1000
      ) {
        const idle = pods.findIndex((pod) => pod.slotsFreeAtMs.every((free) => free <= now));
        if (idle !== -1) {
          pods.splice(idle, 1);
          lastScaleDownMs = now;
          scaling.push({ atSeconds: now / 1000, replicas: pods.length, waiting: waiting.length });
        }
      }
    }
    if (
      rule.minReplicas === 0 &&
      pods.length > 0 &&
      waiting.length === 0 &&
      now - lastActiveMs >= rule.cooldownSeconds * 1000
    ) {
      pods.length = 0;
      scaling.push({ atSeconds: now / 1000, replicas: 0, waiting: 0 });
    }
    if (latencies.length === arrivalsMs.length && now >= drainedAtMs + afterDrainSeconds * 1000)
      break;
  }
  if (latencies.length < arrivalsMs.length)
    throw new Error(`not drained within ${limitSeconds} s of model time`);

  const sorted = [...latencies].sort((a, b) => a - b);
  const quantile = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    latenciesMs: latencies,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    maxMs: sorted[sorted.length - 1],
    scaling,
    peakReplicas: Math.max(...scaling.map((event) => event.replicas)),
    drainedAtSeconds: drainedAtMs / 1000,
  };
}

/** The smallest minReplicas (1…maxReplicas) that keeps p99 under `p99TargetMs`, or null. */
export function podsNeeded(
  arrivalSeconds: number[],
  parameters: CapacityParameters,
  p99TargetMs = 1_000,
): { minReplicas: number; result: SimulationResult } | null {
  for (let minReplicas = 1; minReplicas <= parameters.keda.maxReplicas; minReplicas++) {
    const result = simulate(arrivalSeconds, {
      ...parameters,
      keda: { ...parameters.keda, minReplicas },
    });
    if (result.p99Ms < p99TargetMs) return { minReplicas, result };
  }
  return null;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arrivals,
  hpaDesired,
  MEASURED,
  podsNeeded,
  simulate,
  type CapacityParameters,
} from './model.ts';

const with_ = (
  keda: Partial<CapacityParameters['keda']>,
  rest: Partial<CapacityParameters> = {},
): CapacityParameters => ({
  ...MEASURED,
  ...rest,
  keda: { ...MEASURED.keda, ...keda },
});

describe(simulate.name, () => {
  it('without queueing, each verdict takes one job’s time plus the fixed overhead', () => {
    const sut = simulate([0, 1, 2, 3], MEASURED);
    const serviceMs = (MEASURED.slots / MEASURED.jobsPerSecondPerPod) * 1000;
    assert.deepEqual(
      sut.latenciesMs,
      [1, 1, 1, 1].map(() => serviceMs + MEASURED.overheadMs),
    );
  });

  it('drains an instant backlog at the pod’s rate: 300 jobs at 80/s take 3.75 s', () => {
    const sut = simulate(Array<number>(300).fill(0), with_({ minReplicas: 1 }));
    assert.ok(Math.abs(sut.drainedAtSeconds - 3.75) <= 0.002, `${sut.drainedAtSeconds} s`);
    // The 297th job waits for 148 rounds of two slots, 25 ms each, before its own round.
    assert.ok(Math.abs(sut.p99Ms - (149 * 25 + MEASURED.overheadMs)) <= 2, `${sut.p99Ms} ms`);
  });

  it('a pod KEDA adds takes no job before it has started', () => {
    const parameters = with_({ minReplicas: 1 }, { jobsPerSecondPerPod: 2, podStartSeconds: 30 });
    const sut = simulate(Array<number>(200).fill(0), parameters);
    const firstScale = sut.scaling.find((event) => event.replicas > 1);
    assert.ok(firstScale, 'scaled up');
    assert.equal(firstScale.atSeconds, 0, 'the first HPA sync sees the backlog');
    // Alone for 30 s, the first pod finishes 60 jobs; the rest need the new pods.
    const beforeStart = sut.latenciesMs.filter(
      (latency) => latency <= 30_000 + MEASURED.overheadMs,
    ).length;
    assert.equal(beforeStart, 60);
  });

  it('scales from zero on KEDA’s polling interval, after activation', () => {
    const sut = simulate([2], with_({ minReplicas: 0 }, { podStartSeconds: 10 }));
    assert.deepEqual(sut.scaling.slice(0, 2), [
      { atSeconds: 0, replicas: 0, waiting: 0 },
      { atSeconds: 5, replicas: 1, waiting: 1 },
    ]);
    assert.equal(Math.round(sut.latenciesMs[0]), 3_000 + 10_000 + 25 + MEASURED.overheadMs);
  });

  it('never goes past maxReplicas, and scales in again one pod per period after the window', () => {
    const parameters = with_(
      { maxReplicas: 6, scaleDownStabilizationSeconds: 60 },
      { jobsPerSecondPerPod: 5, podStartSeconds: 5 },
    );
    const sut = simulate(arrivals('uniform', 3_000, 120), parameters, { afterDrainSeconds: 600 });
    assert.equal(sut.peakReplicas, 6);
    const downs = sut.scaling.filter(
      (event, i) => i > 0 && event.replicas < sut.scaling[i - 1].replicas,
    );
    assert.ok(downs.length >= 1, 'scaled in after the burst');
    for (let i = 1; i < downs.length; i++)
      assert.ok(downs[i].atSeconds - downs[i - 1].atSeconds >= 60);
  });
});

describe(hpaDesired.name, () => {
  it('asks for ceil(list / target) pods within min and max, at most max(4, 100 %) more per sync', () => {
    assert.equal(hpaDesired(0, 1, MEASURED.keda), 1);
    assert.equal(hpaDesired(101, 2, MEASURED.keda), 6);
    assert.equal(hpaDesired(1_000, 2, MEASURED.keda), 6, 'two pods may add four');
    assert.equal(hpaDesired(1_000, 10, MEASURED.keda), 20, 'ten pods may double');
    assert.equal(hpaDesired(10_000, 20, MEASURED.keda), 30, 'max');
  });
});

describe('a class of 300 submitting in the same minute', () => {
  it('one pod keeps p99 under 1 s when the minute is spread (uniform, Poisson, front-loaded)', () => {
    for (const profile of ['uniform', 'poisson', 'front'] as const) {
      const sut = podsNeeded(arrivals(profile, 300, 60), MEASURED);
      assert.equal(sut?.minReplicas, 1, profile);
    }
  });

  it('all 300 within one second need two pods up front: KEDA reacts too late to help', () => {
    const burst = arrivals('instant', 300, 60);
    const alone = simulate(burst, MEASURED);
    assert.ok(alone.p99Ms > 1_000, `one pod: p99 ${alone.p99Ms} ms`);
    assert.equal(podsNeeded(burst, MEASURED)?.minReplicas, 2);
  });
});

describe(arrivals.name, () => {
  it('puts n submissions inside the window, half of a front-loaded one in its first eighth', () => {
    for (const profile of ['uniform', 'front', 'instant', 'poisson'] as const) {
      const times = arrivals(profile, 300, 60);
      assert.equal(times.length, 300);
      assert.ok(
        times.every((t) => t >= 0 && t <= 60),
        profile,
      );
    }
    assert.equal(arrivals('front', 300, 60).filter((t) => t < 7.5).length, 150);
    assert.ok(Math.max(...arrivals('instant', 300, 60)) < 1);
  });
});

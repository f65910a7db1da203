import { devFaults } from './dev-faults.js';

describe('devFaults (the "break it" state of one process)', () => {
  afterEach(() => devFaults.reset());

  it('is at rest until a control changes it', () => {
    expect(devFaults.state).toEqual({ paused: false, refuseNext: 0, delayMs: 0 });
    expect(devFaults.takeRefusal()).toBe(false);
  });

  it('refuses exactly the next N postings, one each', () => {
    devFaults.set({ refuseNext: 2 });
    expect([devFaults.takeRefusal(), devFaults.takeRefusal(), devFaults.takeRefusal()]).toEqual([true, true, false]);
    expect(devFaults.state.refuseNext).toBe(0);
  });

  it('tells its listeners (a subscriber pauses its consumer) and keeps what a patch leaves out', () => {
    const seen: boolean[] = [];
    const stop = devFaults.onChange((state) => seen.push(state.paused));
    devFaults.set({ paused: true });
    devFaults.set({ delayMs: 200 });
    stop();
    devFaults.set({ paused: false });
    expect(seen).toEqual([true, true]);
    expect(devFaults.delayMs).toBe(200);
  });
});

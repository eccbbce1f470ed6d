import { expect } from 'chai';
import { Slots } from '../../../../functions/shared/util/slots.js';

describe('Slots', () => {
  it('lets `count` holders in at once and the next in order as each leaves', async () => {
    const slots = new Slots(2);
    const never = new AbortController().signal;
    const order: string[] = [];
    const first = await slots.acquire(never);
    const second = await slots.acquire(never);
    const third = slots.acquire(never).then((release) => {
      order.push('third');
      return release;
    });
    const fourth = slots.acquire(never).then((release) => {
      order.push('fourth');
      return release;
    });
    await Promise.resolve();
    expect(order).to.deep.equal([]);
    expect(slots.queued).to.equal(2);
    expect(slots.held).to.equal(2);
    first();
    first();
    (await third)();
    second();
    (await fourth)();
    expect(order).to.deep.equal(['third', 'fourth']);
    expect(slots.queued).to.equal(0);
    expect(slots.held).to.equal(0);
    // every slot is back: two can enter again at once
    await Promise.all([slots.acquire(never), slots.acquire(never)]);
  });

  it('stops waiting with the signal’s reason, and gives its place up', async () => {
    const slots = new Slots(1);
    const release = await slots.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    const reason = new Error('shutting down');
    controller.abort(reason);
    let caught: unknown;
    await waiting.catch((error: unknown) => (caught = error));
    expect(caught).to.equal(reason);
    expect(slots.queued).to.equal(0);
    release();
    const again = await slots.acquire(new AbortController().signal);
    expect(again).to.be.a('function');
  });
});

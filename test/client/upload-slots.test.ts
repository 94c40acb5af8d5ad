import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type UploadSlot, UploadSlots } from "../../src/client/upload-slots.js";

describe("UploadSlots", () => {
  it("gives out up to the limit at once, then the next in turn as each is released", async () => {
    const slots = new UploadSlots(2);
    const first = await slots.take();
    const second = await slots.take();
    assert.equal(slots.free, false);
    const order: string[] = [];
    const noted = (name: string) => (slot: UploadSlot) => {
      order.push(name);
      return slot;
    };
    const third = slots.take().then(noted("third"));
    const fourth = slots.take().then(noted("fourth"));
    first.release();
    first.release(); // a second release frees nothing more
    await third;
    assert.deepEqual(order, ["third"]);
    second.release();
    (await fourth).release();
    assert.deepEqual(order, ["third", "fourth"]);
    (await third).release();
    assert.equal(slots.free, true);
  });

  it("lets one waiting leave its turn when its signal aborts, the next taking it", async () => {
    const slots = new UploadSlots(1);
    const held = await slots.take();
    const leaving = new AbortController();
    const left = slots.take(leaving.signal);
    const next = slots.take();
    leaving.abort();
    await assert.rejects(left, /aborted/);
    held.release();
    (await next).release();
    assert.equal(slots.free, true, "the one that left took no slot");
  });

  it("rejects those waiting when abandoned, and frees nothing held", async () => {
    const slots = new UploadSlots(1);
    const held: UploadSlot = await slots.take();
    const waiting = slots.take();
    slots.abandon(new Error("cancelled"));
    await assert.rejects(waiting, { message: "cancelled" });
    assert.equal(slots.free, false);
    held.release();
    assert.equal(slots.free, true);
  });
});

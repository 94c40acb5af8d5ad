import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProtocolError } from "../../src/protocol/errors.js";
import type { FilePeer, Transfer } from "../../src/server/transfer.js";
import { type Reservation, UploadQuotas } from "../../src/server/upload-quotas.js";

const MIB = 1024 * 1024;

function peer(nick: string, address = "10.0.0.1"): FilePeer {
  return {
    nick,
    address,
    capabilities: { files: true },
    bulkReady: true,
    deliver() {},
    sendBulk() {},
  };
}

function reserved(quotas: UploadQuotas, from: FilePeer, size: number): Reservation {
  const reservation = quotas.reserve(from, size);
  assert.ok(!(reservation instanceof ProtocolError), String(reservation));
  return reservation;
}

/** What the quotas read of a transfer under way. */
function transferOf(from: FilePeer, size: number, received = 0): Transfer {
  return { from, fromAddress: from.address, size, received } as Transfer;
}

describe("UploadQuotas", () => {
  it("keeps a margin of 64 MiB free, or a twentieth of a small disk", () => {
    const quotas = new UploadQuotas();
    const big = { free: 100 * MIB, total: 10_000 * MIB }; // 36 MiB of room
    const over = reserved(quotas, peer("a"), 37 * MIB);
    assert.match(quotas.spaceProblem(over, big)?.message ?? "", /room for 37\.7 MB now/);
    const tiny = { free: MIB, total: MIB };
    const small = new UploadQuotas();
    assert.equal(small.spaceProblem(reserved(small, peer("b"), 10), tiny), undefined);
    const whole = reserved(small, peer("c", "10.0.0.9"), MIB);
    assert.equal(small.spaceProblem(whole, tiny)?.code, ErrorCode.NoSpace);
  });

  it("counts what earlier offers and uploads still send against the room", () => {
    const quotas = new UploadQuotas();
    const disk = { free: 164 * MIB, total: 100_000 * MIB }; // 100 MiB of room
    const first = reserved(quotas, peer("a", "10.0.0.1"), 40 * MIB);
    quotas.started(first, transferOf(first.peer, 40 * MIB));
    const second = reserved(quotas, peer("b", "10.0.0.2"), 40 * MIB);
    assert.equal(quotas.spaceProblem(second, disk), undefined);
    const third = reserved(quotas, peer("c", "10.0.0.3"), 40 * MIB);
    assert.match(quotas.spaceProblem(third, disk)?.message ?? "", /room for 21\.0 MB now/);
    quotas.cancel(third);
    // What has arrived is on the disk: counted by the free space, no longer as promised.
    quotas.arrived(transferOf(first.peer, 40 * MIB), 30 * MIB);
    const fourth = reserved(quotas, peer("d", "10.0.0.4"), 20 * MIB);
    const lessFree = { free: 134 * MIB, total: 100_000 * MIB };
    assert.equal(quotas.spaceProblem(fourth, lessFree), undefined);
  });

  it("lets one address promise itself at most half the room", () => {
    const quotas = new UploadQuotas();
    const disk = { free: 164 * MIB, total: 100_000 * MIB };
    const mine = peer("a");
    const first = reserved(quotas, mine, 30 * MIB);
    assert.equal(quotas.spaceProblem(first, disk), undefined);
    const second = reserved(quotas, peer("a2"), 30 * MIB);
    assert.match(quotas.spaceProblem(second, disk)?.message ?? "", /up to half/);
    const elsewhere = reserved(quotas, peer("b", "10.0.0.2"), 30 * MIB);
    assert.equal(quotas.spaceProblem(elsewhere, disk), undefined);
  });

  it("frees an ended upload's slot and what it did not send", () => {
    const quotas = new UploadQuotas();
    const from = peer("a");
    const transfers = Array.from({ length: 8 }, () => {
      const reservation = reserved(quotas, from, 10);
      const transfer = transferOf(from, 10);
      quotas.started(reservation, transfer);
      return transfer;
    });
    assert.ok(quotas.reserve(from, 10) instanceof ProtocolError);
    quotas.ended(transfers[0] as Transfer);
    reserved(quotas, from, 10);
    assert.deepEqual(quotas.uploadsOf(from).length, 7);
  });
});

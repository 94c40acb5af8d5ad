import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProgressBoard } from "../../src/cli/progress.js";

const MB = 1_000_000;
const CHUNK = 262_144;

/** Updates `key` every 100 ms from `from` to `to` (ms), `perTick` bytes at a time; returns the bytes done. */
function steady(
  board: ProgressBoard,
  key: string,
  size: number,
  done: number,
  range: { from: number; to: number; perTick: number },
): number {
  let bytes = done;
  for (let t = range.from; t <= range.to; t += 100) {
    board.update(key, key, bytes, size, t);
    if (t < range.to) bytes += range.perTick;
  }
  return bytes;
}

describe("ProgressBoard", () => {
  it("measures a resumed download from its first bytes, not from the seconds its kept part took to hash", () => {
    const board = new ProgressBoard();
    // Resumed at 500 MB of 1000 MB; the kept 500 MB take 13 s to read back and hash.
    board.start("down1", "↓ big.bin", 500 * MB, 1000 * MB);
    const done = steady(board, "down1", 1000 * MB, 500 * MB + CHUNK, {
      from: 13_000,
      to: 16_000,
      perTick: MB, // 10 MB/s
    });
    // 470 MB to go at 10 MB/s: 47 s. Counting the 13 s of hashing read 1.9 MB/s 4:09.
    assert.equal(done, 530 * MB + CHUNK);
    assert.equal(board.status(16_000), "[↓ big.bin █████░░░░░ 53% 10.0 MB/s 0:47] ");
  });

  it("shows no rate until a second has been measured", () => {
    const board = new ProgressBoard();
    board.update("up1", "↑ song.mp3", CHUNK, 3 * MB, 0);
    board.update("up1", "↑ song.mp3", 2 * CHUNK, 3 * MB, 20);
    // One chunk 20 ms in read 13.1 MB/s 0:01.
    assert.equal(board.status(20), "[↑ song.mp3 ██░░░░░░░░ 17% -:--] ");
    assert.equal(board.status(999), "[↑ song.mp3 ██░░░░░░░░ 17% -:--] ");
    // The first update put it on the board; measuring starts at the second.
    board.update("up1", "↑ song.mp3", 2 * CHUNK + MB, 3 * MB, 1020);
    assert.equal(board.status(1020), "[↑ song.mp3 █████░░░░░ 50% 1.0 MB/s 0:02] ");
  });

  it("takes the rate over the last few seconds, so an early burst soon stops counting", () => {
    const board = new ProgressBoard();
    board.start("down2", "↓ film.mkv", 0, 1000 * MB);
    // 16 MB that arrived while the file was being opened, written at once; then 1 MB/s.
    board.update("down2", "↓ film.mkv", CHUNK, 1000 * MB, 0);
    board.update("down2", "↓ film.mkv", 16 * MB, 1000 * MB, 50);
    const done = steady(board, "down2", 1000 * MB, 16 * MB, {
      from: 100,
      to: 20_000,
      perTick: MB / 10,
    });
    assert.match(board.status(20_000), / 1\.0 MB\/s 16:0\d\] $/);
    assert.equal(done, 16 * MB + 199 * (MB / 10));
  });

  it("starts a transfer over when it is started again, and says when nothing moves", () => {
    const board = new ProgressBoard();
    board.start("down3", "↓ a.bin", 0, 100 * MB);
    steady(board, "down3", 100 * MB, 0, { from: 0, to: 2000, perTick: MB });
    board.start("down3", "↓ a.bin", 10 * MB, 100 * MB);
    assert.equal(board.status(2100), "[↓ a.bin █░░░░░░░░░ 10% -:--] ");
    board.update("down3", "↓ a.bin", 10 * MB, 100 * MB, 2200);
    assert.equal(board.status(9000), "[↓ a.bin █░░░░░░░░░ 10% 0 B/s -:--] ");
  });

  it("names how many more transfers are under way, and is empty when none is", () => {
    const board = new ProgressBoard();
    assert.equal(board.status(0), "");
    board.start("a", `↓ ${"long name ".repeat(5)}`, 0, 0);
    board.start("b", "↑ b", 0, 10);
    assert.equal(board.status(0), "[↓ long name long name l… ██████████ 100% -:-- +1] ");
    board.remove("a");
    board.remove("b");
    assert.equal(board.status(0), "");
  });
});

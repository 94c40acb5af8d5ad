// HTTP on the chat port is told by a whole request line, and by nothing less.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recogniseHttp } from "../../src/transport/http-kind.js";

const judge = (text: string) => recogniseHttp(new TextEncoder().encode(text));

describe("recogniseHttp", () => {
  it("takes a whole GET or HEAD request line, and waits while one may still come", () => {
    assert.equal(judge("GET / HTTP/1.1\r\n"), "mine");
    assert.equal(judge("HEAD /files/7 HTTP/1.0\n"), "mine");
    assert.equal(judge("GET /chat HT"), "need more");
    assert.equal(judge("GE"), "need more");
  });

  it("leaves any other first line to chat", () => {
    for (const line of ["GET me a coffee\n", "get / HTTP/1.1\n", "POST / HTTP/1.1\n", "hi\n"]) {
      assert.equal(judge(line), "not mine", line);
    }
  });

  it("leaves a line longer than 8 KiB to chat, whether its end came in the same read or not", () => {
    const long = `GET /${"a".repeat(9000)} HTTP/1.1`;
    assert.equal(judge(long), "not mine");
    assert.equal(judge(`${long}\r\n`), "not mine");
  });
});

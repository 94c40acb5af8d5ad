// The WebSocket byte stream over an in-process fake of the browser's
// WebSocket: what our code does with the API (splitting, buffering, reasons),
// not the browser's own behaviour.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chatSocketUrl,
  closeReason,
  MAX_MESSAGE_BYTES,
  type WebSocketLike,
  webSocketDial,
} from "../../../src/client/browser/websocket-dial.js";

class FakeWebSocket implements WebSocketLike {
  binaryType: BinaryType = "blob";
  bufferedAmount = 0;
  readyState = 0;
  readonly sent: Uint8Array[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;

  send(data: Uint8Array): void {
    // The browser takes a copy of what it is handed, as this does.
    this.sent.push(data.slice());
    this.bufferedAmount += data.length;
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  /** The server's side of it. */
  opened(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }

  receive(data: ArrayBuffer | string): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  closed(code: number, reason = "", wasClean = code !== 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean } as CloseEvent);
  }
}

function dialed() {
  let socket: FakeWebSocket | undefined;
  const urls: string[] = [];
  const dial = webSocketDial("ws://chat.example:8081/chat", {
    open: (url) => {
      urls.push(url);
      socket = new FakeWebSocket();
      return socket;
    },
    connectTimeoutMs: 50,
  });
  return { dial, urls, socket: () => socket as FakeWebSocket };
}

function bytes(length: number, seed = 0): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 7 + seed) & 0xff;
  return data;
}

describe("webSocketDial", () => {
  it("opens a binary socket to the URL and resolves once it is open", async () => {
    const { dial, urls, socket } = dialed();
    const dialing = dial();
    assert.deepEqual(urls, ["ws://chat.example:8081/chat"]);
    assert.equal(socket().binaryType, "arraybuffer");
    socket().opened();
    const stream = await dialing;
    assert.equal(stream.onDrain, undefined, "no drain event: the core polls bufferedBytes");
  });

  it("sends a write of up to 1 MiB as one message, and splits a larger one, in order", async () => {
    const { dial, socket } = dialed();
    const dialing = dial();
    socket().opened();
    const stream = await dialing;
    const small = bytes(9, 1);
    const exact = bytes(MAX_MESSAGE_BYTES, 2);
    const large = bytes(2 * MAX_MESSAGE_BYTES + 5, 3);
    stream.write(small);
    stream.write(exact);
    stream.write(large);
    assert.deepEqual(
      socket().sent.map((m) => m.length),
      [9, MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES, 5],
    );
    assert.deepEqual(socket().sent[0], small);
    assert.deepEqual(socket().sent[1], exact);
    assert.deepEqual(Buffer.concat(socket().sent.slice(2)), Buffer.from(large));
    assert.ok(socket().sent.every((m) => m.length <= MAX_MESSAGE_BYTES));
  });

  it("counts the socket's bufferedAmount as its buffered bytes", async () => {
    const { dial, socket } = dialed();
    const dialing = dial();
    socket().opened();
    const stream = await dialing;
    stream.write(bytes(300));
    assert.equal(stream.bufferedBytes, 300);
    socket().bufferedAmount = 0; // the browser handed it to the network
    assert.equal(stream.bufferedBytes, 0);
  });

  it("hands on what arrived before the client listened, then each message as it comes", async () => {
    const { dial, socket } = dialed();
    const dialing = dial();
    socket().opened();
    const stream = await dialing;
    socket().receive(Uint8Array.of(1, 2).buffer);
    const seen: number[][] = [];
    stream.listen({ data: (data) => seen.push([...data]), close: () => {} });
    socket().receive(Uint8Array.of(3).buffer);
    assert.deepEqual(seen, [[1, 2], [3]]);
  });

  it("says in words why the connection closed", async () => {
    const { dial, socket } = dialed();
    const dialing = dial();
    socket().opened();
    const stream = await dialing;
    const reasons: string[] = [];
    stream.listen({ data: () => {}, close: (reason) => reasons.push(reason) });
    socket().closed(1006);
    assert.deepEqual(reasons, ["connection lost"]);
  });

  it("closes on a text message, which is no part of the byte stream", async () => {
    const { dial, socket } = dialed();
    const dialing = dial();
    socket().opened();
    const stream = await dialing;
    const reasons: string[] = [];
    stream.listen({ data: () => {}, close: (reason) => reasons.push(reason) });
    socket().receive("hello");
    assert.deepEqual(socket().closedWith, { code: 1003, reason: "binary messages only" });
    socket().closed(1003, "binary messages only");
    assert.deepEqual(reasons, ["the server sent a text message"]);
  });

  it("closes with a normal closure when the client closes", async () => {
    const { dial, socket } = dialed();
    const dialing = dial();
    socket().opened();
    (await dialing).close();
    assert.deepEqual(socket().closedWith, { code: 1000, reason: undefined });
  });

  it("rejects a connect that fails, or that nothing answers, saying where and why", async () => {
    const refused = dialed();
    const failing = refused.dial();
    refused.socket().closed(1006);
    await assert.rejects(failing, {
      message:
        "cannot connect to ws://chat.example:8081/chat: no connection (is the server running? is the address right?)",
    });

    const forbidden = dialed();
    const refusing = forbidden.dial();
    forbidden.socket().closed(1008, "foreign origin");
    await assert.rejects(refusing, {
      message:
        "cannot connect to ws://chat.example:8081/chat: refused by the server: foreign origin",
    });

    const silent = dialed();
    await assert.rejects(silent.dial(), {
      message: "cannot connect to ws://chat.example:8081/chat: no answer in 0.05 s",
    });
    assert.ok(silent.socket().closedWith !== undefined, "the socket given up on is closed");
  });

  it("rejects a URL the browser will not open", async () => {
    const dial = webSocketDial("ws://[bad/chat", {
      open: () => {
        throw new SyntaxError("The URL 'ws://[bad/chat' is invalid.");
      },
    });
    await assert.rejects(dial(), {
      message: "cannot connect to ws://[bad/chat: The URL 'ws://[bad/chat' is invalid.",
    });
  });
});

describe("chatSocketUrl and closeReason", () => {
  it("dials the page's own host, over wss when the page came over https", () => {
    assert.equal(
      chatSocketUrl({ protocol: "http:", host: "127.0.0.1:8081" }),
      "ws://127.0.0.1:8081/chat",
    );
    assert.equal(
      chatSocketUrl({ protocol: "https:", host: "chat.example" }),
      "wss://chat.example/chat",
    );
  });

  it("gives the server's reason with the meaning of its code", () => {
    assert.equal(closeReason({ code: 1000, reason: "" }, "lost"), "connection closed");
    assert.equal(closeReason({ code: 1001, reason: "" }, "lost"), "the server is going away");
    assert.equal(
      closeReason({ code: 1009, reason: "over 1 MiB" }, "lost"),
      "message too big: over 1 MiB",
    );
    assert.equal(closeReason({ code: 4000, reason: "bye now" }, "lost"), "bye now");
    assert.equal(closeReason({ code: 4000, reason: "" }, "lost"), "closed with code 4000");
    assert.equal(closeReason({ code: 1006, reason: "" }, "lost"), "lost");
  });
});

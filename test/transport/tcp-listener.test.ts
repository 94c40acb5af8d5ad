// The listener's connections over real loopback sockets: the same contract as
// over an in-memory pair, which keeps the pair honest as a stand-in for TCP.

import { once } from "node:events";
import { connect } from "node:net";
import type { Connection } from "../../src/transport/connection.js";
import { listenTcp } from "../../src/transport/tcp-listener.js";
import { eventually } from "../helpers/eventually.js";
import { connectionConformance, type OpenPair } from "./connection-conformance.js";
import { nativeStreamPeer, textStreamPeer } from "./stream-peers.js";

function openWith(speaks: "native" | "text"): OpenPair {
  return async (recorder, { closeGraceMs }) => {
    let accepted: Connection | undefined;
    const listener = await listenTcp(
      {
        host: "127.0.0.1",
        port: 0,
        maxLineBytes: 4096,
        textWelcomeDelayMs: speaks === "native" ? 10_000 : 5,
        closeGraceMs,
        keepAliveMs: 60_000,
        handOffs: [],
      },
      (connection) => {
        connection.attach(recorder);
        accepted = connection;
      },
    );
    const socket = connect(listener.address.port, "127.0.0.1");
    await once(socket, "connect");
    const connection = await eventually(() => accepted, "the connection");
    // Stops listening; the connection stays.
    void listener.close();
    if (speaks === "native") return { connection, peer: await nativeStreamPeer(socket) };
    const peer = textStreamPeer(socket);
    await eventually(() => recorder.messages.find((m) => m.type === "hello"), "the text hello");
    return { connection, peer };
  };
}

connectionConformance("TCP, native", openWith("native"), { heartbeat: true, files: true });
connectionConformance("TCP, text", openWith("text"), { heartbeat: false, files: false });

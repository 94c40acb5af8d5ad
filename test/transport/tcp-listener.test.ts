// The listener's connections over real loopback sockets: the same contract as
// over an in-memory pair, which keeps the pair honest as a stand-in for TCP;
// and over TLS, decrypted on the same port.

import { once } from "node:events";
import { type Socket, connect as tcpConnect } from "node:net";
import { createSecureContext, connect as tlsConnect } from "node:tls";
import { makeSelfSigned } from "../../src/server/self-signed.js";
import type { Connection } from "../../src/transport/connection.js";
import { listenTcp, type TlsListenOptions } from "../../src/transport/tcp-listener.js";
import { eventually } from "../helpers/eventually.js";
import { connectionConformance, type OpenPair, Recorder } from "./connection-conformance.js";
import { nativeStreamPeer, textStreamPeer } from "./stream-peers.js";

const credentials = await makeSelfSigned();

function openWith(speaks: "native" | "text", over: "tcp" | "tls"): OpenPair {
  return async (recorder, { closeGraceMs }) => {
    let accepted: Connection | undefined;
    let handedOver = false;
    const tls: TlsListenOptions | undefined =
      over === "tls"
        ? {
            secureContext: () => createSecureContext(credentials),
            handshakeTimeoutMs: 10_000,
            allowPlaintext: false,
          }
        : undefined;
    const listener = await listenTcp(
      {
        host: "127.0.0.1",
        port: 0,
        maxLineBytes: 4096,
        // Over TLS the ClientHello must come first, before the wait for a silent text peer is over.
        textWelcomeDelayMs: speaks === "native" ? 10_000 : over === "tls" ? 200 : 5,
        closeGraceMs,
        keepAliveMs: 60_000,
        handOffs: [],
        limits: { perAddress: 0, total: 0 },
        tls,
      },
      (connection) => {
        // Over TLS the first is the TCP connection, handed over: the decrypted one that follows is under test.
        if (over === "tls" && !handedOver) {
          handedOver = true;
          connection.attach(new Recorder());
          return;
        }
        connection.attach(recorder);
        accepted = connection;
      },
    );
    const { port } = listener.address;
    let socket: Socket;
    if (over === "tls") {
      socket = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false });
      await once(socket, "secureConnect");
    } else {
      socket = tcpConnect(port, "127.0.0.1");
      await once(socket, "connect");
    }
    const connection = await eventually(() => accepted, "the connection");
    // Stops listening; the connection stays.
    void listener.close();
    if (speaks === "native") return { connection, peer: await nativeStreamPeer(socket) };
    const peer = textStreamPeer(socket);
    await eventually(() => recorder.messages.find((m) => m.type === "hello"), "the text hello");
    return { connection, peer };
  };
}

connectionConformance("TCP, native", openWith("native", "tcp"), { heartbeat: true, files: true });
connectionConformance("TCP, text", openWith("text", "tcp"), { heartbeat: false, files: false });
connectionConformance("TLS, native", openWith("native", "tls"), { heartbeat: true, files: true });
connectionConformance("TLS, text", openWith("text", "tls"), { heartbeat: false, files: false });

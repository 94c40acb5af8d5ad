// The memory connection keeps the contract the byte-stream connection keeps, so
// that server tests over it say something about real clients.

import type { Capabilities } from "../../src/transport/connection.js";
import { MemoryConnection } from "../helpers/memory-connection.js";
import { connectionConformance, heardAs, type OpenPair } from "./connection-conformance.js";

function openAs(capabilities: Capabilities): OpenPair {
  return async (recorder, { closeGraceMs }) => {
    const connection = new MemoryConnection({ capabilities, closeGraceMs });
    connection.attach(recorder);
    const { peer } = connection;
    let seq = 0;
    return {
      connection,
      peer: {
        say: (text) =>
          peer.send({ type: "say", seq: capabilities.numberedRequests ? ++seq : 0, text }),
        pong: (token) => peer.send({ type: "pong", token }),
        get heard() {
          return peer.received.flatMap(heardAs);
        },
        stopReading: peer.stopReading,
        startReading: peer.startReading,
        close: () => peer.close(),
        gone: peer.closed,
      },
    };
  };
}

connectionConformance(
  "MemoryConnection, as a native client",
  openAs({ heartbeat: true, files: true, numberedRequests: true }),
  { heartbeat: true, files: true },
);
connectionConformance(
  "MemoryConnection, as a text client",
  openAs({ heartbeat: false, files: false, numberedRequests: false }),
  { heartbeat: false, files: false },
);

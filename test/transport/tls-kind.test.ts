// TLS recognised by its first bytes, and the hand-off to a server TLS socket
// over real loopback sockets: the decrypted stream once the handshake is done,
// and nothing held by a peer whose handshake stalls or is garbage.

import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { describe, it } from "node:test";
import { createSecureContext, type TLSSocket, connect as tlsConnect } from "node:tls";
import { makeSelfSigned } from "../../src/server/self-signed.js";
import { recogniseTls, TlsHandOff } from "../../src/transport/tls-kind.js";
import { eventually } from "../helpers/eventually.js";

describe("recogniseTls", () => {
  it("claims a handshake record of TLS's major version, after its second byte", () => {
    assert.equal(recogniseTls(Uint8Array.of(0x16)), "need more");
    assert.equal(recogniseTls(Uint8Array.of(0x16, 0x03, 0x01)), "mine");
    assert.equal(recogniseTls(Uint8Array.of(0x16, 0x03)), "mine");
    assert.equal(recogniseTls(Uint8Array.of(0x16, 0x02)), "not mine");
    assert.equal(recogniseTls(Uint8Array.of(0x47, 0x45, 0x54)), "not mine");
    assert.equal(recogniseTls(new TextEncoder().encode("hello\n")), "not mine");
  });
});

const credentials = await makeSelfSigned();

/** A TCP server whose every connection is given to a TlsHandOff with its first read. */
async function handingOff(handshakeTimeoutMs: number) {
  const secured: TLSSocket[] = [];
  const handOff = new TlsHandOff(
    { secureContext: () => createSecureContext(credentials), handshakeTimeoutMs },
    (socket) => secured.push(socket),
  );
  const accepted: Socket[] = [];
  const taken: Socket[] = [];
  const server: Server = createServer((socket) => {
    accepted.push(socket);
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      handOff.take(socket, chunk);
      taken.push(socket);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { handOff, secured, accepted, taken, port, close: () => server.close() };
}

describe("TlsHandOff", () => {
  it("hands on the decrypted stream, with the TCP peer's address, once the handshake is done", async () => {
    const port = await handingOff(10_000);
    const client = tlsConnect({ host: "127.0.0.1", port: port.port, rejectUnauthorized: false });
    await once(client, "secureConnect");
    client.write("ping\n");
    // In TLS 1.3 the client is done first: the server is when the client's last flight arrives.
    const socket = await eventually(() => port.secured[0], "the server's end of the handshake");
    assert.equal(socket.remoteAddress, "127.0.0.1");
    assert.equal(socket.remotePort, client.localPort);
    const [heard] = await once(socket, "data");
    assert.equal(String(heard), "ping\n");
    socket.write("pong\n");
    const [answer] = await once(client, "data");
    assert.equal(String(answer), "pong\n");
    client.destroy();
    port.close();
  });

  it("drops a peer whose handshake does not finish in time", async () => {
    const port = await handingOff(50);
    const client = tcpConnect(port.port, "127.0.0.1");
    client.on("error", () => {});
    // A record header, and then nothing.
    client.write(Uint8Array.of(0x16, 0x03, 0x01));
    await once(client, "close");
    assert.equal(port.accepted[0]?.destroyed, true);
    assert.deepEqual(port.secured, []);
    port.close();
  });

  it("closes a peer whose ClientHello is garbage, and keeps serving", async () => {
    const port = await handingOff(10_000);
    const garbage = tcpConnect(port.port, "127.0.0.1");
    garbage.on("error", () => {});
    garbage.write(Uint8Array.of(0x16, 0x03, 0x01, 0xff, 0xff, ...Array(64).fill(0x41)));
    garbage.resume();
    await once(garbage, "close");
    const client = tlsConnect({ host: "127.0.0.1", port: port.port, rejectUnauthorized: false });
    await once(client, "secureConnect");
    client.destroy();
    port.close();
  });

  it("drops the handshakes under way when asked, as a server stopping does", async () => {
    const port = await handingOff(10_000);
    const client = tcpConnect(port.port, "127.0.0.1");
    client.on("error", () => {});
    client.write(Uint8Array.of(0x16, 0x03, 0x01));
    await eventually(() => port.taken[0], "the hand-off");
    port.handOff.dropHandshakes();
    await once(client, "close");
    port.close();
  });
});

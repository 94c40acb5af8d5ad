// A seeded hostile session against a running server: a native peer sending raw
// frames and a netcat-style peer sending raw lines, every free-text field drawn
// from the hostile generator, in the situations where reasons reach others:
// receiving a file and declining it, sending one and cancelling it, setting a
// room's topic, leaving a room, quitting.

import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { LEGACY_END_MARKER } from "../../src/protocol/legacy-upload.js";
import {
  type ClientMessage,
  encodeClientMessage,
  type ServerMessage,
} from "../../src/protocol/messages.js";
import { encodeUtf8 } from "../../src/protocol/payload.js";
import { DEFAULT_ROOM } from "../../src/protocol/rooms.js";
import { DEFAULTS } from "../../src/server/config.js";
import { hostileText, mutateUtf8 } from "./hostile-text.js";
import type { Random } from "./random.js";
import { encodeWithFieldBytes, stringFields } from "./raw-fields.js";
import { type RawNative, rawNative } from "./raw-native.js";
import { decodeLossy } from "./terminal-safety.js";
import type { TextObserver } from "./text-observer.js";

/** The native observer's nickname, and the victim that forged lines name. */
export const NATIVE_OBSERVER = "alice";
export const TEXT_OBSERVER = "bob";
const CLEAN_NICKS = ["mallory", "eve", "trudy"];
/** Rooms a hostile peer can make, so that its topics there show in the room list. */
const CLEAN_ROOMS = ["#dev", "#ops"];
/** A byte that never occurs in UTF-8. */
const INVALID_UTF8 = 0xff;

/** One hostile value as sent, for blaming a delivery on it. */
export interface Sent {
  /** Which field, as "native quit.reason" or "text /quit". */
  label: string;
  /** The value; mutated bytes decoded with U+FFFD for what is not UTF-8. */
  text: string;
  mutated: boolean;
}

type Of<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

function sha256(data: Uint8Array): Uint8Array {
  return createHash("sha256").update(data).digest();
}

interface HostileText {
  socket: Socket;
  closed: Promise<void>;
}

/**
 * One session: alice (native) and bob (text) watch while a hostile native peer
 * and a hostile text peer send requests whose every free-text field comes from
 * the hostile generator, and set up the situations in which reasons reach others.
 */
export class HostileSession {
  readonly sent: Sent[] = [];
  readonly #r: Random;
  readonly #port: number;
  readonly #alice: RawNative;
  readonly #bob: TextObserver;
  readonly #aliceFiles: number[] = [];
  #native: RawNative | undefined;
  #text: HostileText | undefined;
  #seq = 0;
  #token = 0;
  #marker = 0;

  /** `alice` and `bob` are the observers, joined as NATIVE_OBSERVER and TEXT_OBSERVER. */
  constructor(r: Random, port: number, alice: RawNative, bob: TextObserver) {
    this.#r = r;
    this.#port = port;
    this.#alice = alice;
    this.#bob = bob;
  }

  async run(): Promise<void> {
    for (let round = 0; round < 2; round++) await this.#aliceSendsToHostile();
    for (let round = 0; round < 2; round++) await this.#hostileOffersAndCancels();
    await this.#nativeBatch(30);
    await this.#textBatch(25);
    await this.#nativeRooms();
    await this.#textRooms();
    await this.#hostileUploads();
    await this.#textQuits();
    await this.#nativeQuits();
    await this.#everyoneElseLeft();
    for (const id of this.#aliceFiles) {
      await this.#alice.waitFor((m) => m.type === "file-complete" && m.id === id);
    }
    await this.#observersStillServed();
  }

  // --- the hostile native peer ----------------------------------------------------

  /** The hostile native peer, joined anew if the server closed the last one. */
  async #nativePeer(): Promise<RawNative> {
    if (this.#native !== undefined && !this.#native.socket.destroyed) return this.#native;
    const peer = await rawNative(this.#port);
    // A hello the server cannot decode would leave the peer outside, with nothing to test.
    this.#sendNative(peer, { type: "hello", nick: this.#nick(), client: this.#hostile() }, false);
    await peer.waitFor((m) => m.type === "welcome");
    this.#native = peer;
    return peer;
  }

  /**
   * Sends `message`, sometimes with one free-text field broken at the byte level;
   * returns whether the server can decode what was sent.
   */
  #sendNative(
    peer: RawNative,
    message: ClientMessage,
    mutate = this.#r.int(4) === 0,
    role = "",
  ): boolean {
    const fields = stringFields(message);
    const broken = mutate ? this.#r.pick(fields) : undefined;
    let frame = encodeClientMessage(message);
    let decodable = true;
    for (const field of fields) {
      const label = `native ${message.type}.${field}${role}`;
      const value = (message as unknown as Record<string, string>)[field] as string;
      if (field !== broken) {
        this.#record(label, value, false);
        continue;
      }
      const bytes = mutateUtf8(this.#r, encodeUtf8(value));
      frame = encodeWithFieldBytes(message, field, bytes);
      decodable = isUtf8(bytes);
      this.#record(label, decodeLossy(bytes), true);
    }
    peer.write(frame);
    return decodable;
  }

  /** The first message matching `match`, or undefined if the connection closed first. */
  async #reply(
    peer: RawNative,
    match: (m: ServerMessage) => boolean,
  ): Promise<ServerMessage | undefined> {
    try {
      return await peer.waitFor(match);
    } catch (error) {
      if (peer.socket.destroyed) return undefined;
      throw error;
    }
  }

  /** A ping round trip: once answered, the server has handled all that was sent before. */
  async #settled(peer: RawNative): Promise<boolean> {
    const token = ++this.#token;
    peer.send({ type: "ping", token });
    return (await this.#reply(peer, (m) => m.type === "pong" && m.token === token)) !== undefined;
  }

  /** Alice sends a file; the hostile peer, a receiver, answers with a reason that reaches her. */
  async #aliceSendsToHostile(): Promise<void> {
    const peer = await this.#nativePeer();
    const seq = ++this.#seq;
    const data = this.#r.bytes(16);
    this.#alice.send({ type: "file-offer", seq, name: `notes-${seq}.txt`, size: data.length });
    const { id } = (await this.#alice.waitFor(
      (m) => m.type === "file-accepted" && m.seq === seq,
    )) as Of<"file-accepted">;
    this.#alice.send({ type: "file-chunk", id, offset: 0, data });
    this.#alice.send({ type: "file-end", id, sha256: sha256(data) });
    this.#aliceFiles.push(id);
    if ((await this.#reply(peer, (m) => m.type === "file-offered" && m.id === id)) === undefined) {
      return;
    }
    const reason = this.#hostile();
    const answer = this.#r.pick<ClientMessage>([
      { type: "file-received", id, ok: false, reason },
      { type: "file-received", id, ok: false, reason },
      { type: "file-cancel", id, reason },
      { type: "file-cancel", id, reason },
      { type: "file-received", id, ok: true, reason },
    ]);
    const role = answer.type === "file-cancel" ? " (receiver)" : "";
    // An answer the server cannot read leaves the copy open until the server has
    // seen the peer's connection close, seconds after a quit: a plain decline settles it.
    if (!this.#sendNative(peer, answer, undefined, role))
      peer.send({ type: "file-cancel", id, reason: "" });
  }

  /** The hostile peer offers a file and cancels it: its reason goes to everyone. */
  async #hostileOffersAndCancels(): Promise<void> {
    const peer = await this.#nativePeer();
    const id = await this.#hostileOffer(peer, this.#r.range(1, 1000));
    if (id === undefined) return;
    this.#sendNative(
      peer,
      { type: "file-cancel", id, reason: this.#hostile() },
      undefined,
      " (sender)",
    );
  }

  /** The hostile peer sends a small file whole: its name reaches everyone as verified. */
  async #hostileUploads(): Promise<void> {
    const peer = await this.#nativePeer();
    const data = this.#r.bytes(this.#r.range(0, 32));
    const id = await this.#hostileOffer(peer, data.length);
    if (id === undefined) return;
    if (data.length > 0) peer.send({ type: "file-chunk", id, offset: 0, data });
    peer.send({ type: "file-end", id, sha256: sha256(data) });
    await this.#reply(peer, (m) => m.type === "file-verified" && m.id === id);
  }

  /** Offers a file under a hostile name; its id, or undefined if refused. */
  async #hostileOffer(peer: RawNative, size: number): Promise<number | undefined> {
    const seq = ++this.#seq;
    if (!this.#sendNative(peer, { type: "file-offer", seq, name: this.#hostile(), size })) {
      return undefined;
    }
    const reply = await this.#reply(
      peer,
      (m) => (m.type === "file-accepted" || m.type === "error") && m.seq === seq,
    );
    return reply?.type === "file-accepted" ? reply.id : undefined;
  }

  async #nativeBatch(count: number): Promise<void> {
    const peer = await this.#nativePeer();
    for (let i = 0; i < count; i++) this.#sendNative(peer, this.#randomRequest());
    if (this.#r.int(4) === 0) {
      // Enough undecodable frames in a row that the server closes the peer: the next joins anew.
      for (let i = 0; i < DEFAULTS.maxConsecutiveErrors; i++) {
        const text = this.#hostile();
        this.#record("native say.text", text, true);
        const bytes = Uint8Array.from([...encodeUtf8(text), INVALID_UTF8]);
        peer.write(encodeWithFieldBytes({ type: "say", seq: ++this.#seq, text }, "text", bytes));
      }
    }
    // A part may have taken the peer out of the observers' room: what follows happens there.
    peer.send({ type: "join", seq: ++this.#seq, room: DEFAULT_ROOM });
    await this.#settled(peer);
  }

  /**
   * The hostile native peer sets the observers' room's topic, makes a room of its
   * own with a topic that the room list shows, and leaves the observers' room
   * with a reason, then comes back: each of these reaches the observers.
   */
  async #nativeRooms(): Promise<void> {
    const peer = await this.#nativePeer();
    for (let i = 0; i < 3; i++) {
      this.#sendNative(peer, {
        type: "topic",
        seq: ++this.#seq,
        room: this.#r.pick(["", DEFAULT_ROOM]),
        set: true,
        text: this.#hostile(),
      });
    }
    const own = this.#r.pick(CLEAN_ROOMS);
    peer.send({ type: "join", seq: ++this.#seq, room: own });
    const text = this.#hostile();
    this.#sendNative(peer, { type: "topic", seq: ++this.#seq, room: own, set: true, text });
    await this.#settled(peer);
    await this.#roomsListed();
    const reason = this.#hostile();
    this.#sendNative(peer, { type: "part", seq: ++this.#seq, room: DEFAULT_ROOM, reason });
    peer.send({ type: "join", seq: ++this.#seq, room: DEFAULT_ROOM });
    await this.#settled(peer);
  }

  #randomRequest(): ClientMessage {
    const seq = ++this.#seq;
    switch (this.#r.int(14)) {
      case 0:
        return { type: "hello", nick: this.#nick(), client: this.#hostile() };
      case 1:
        return { type: "nick", seq, nick: this.#nick() };
      case 2:
      case 3:
        return { type: "say", seq, text: this.#hostile() };
      case 4:
        return { type: "action", seq, text: this.#hostile() };
      case 5:
        return { type: "private", seq, to: this.#target(), text: this.#hostile() };
      case 6:
        return { type: "file-offer", seq, name: this.#hostile(), size: this.#r.range(0, 1000) };
      case 7:
        return { type: "file-cancel", id: this.#r.range(1, 8), reason: this.#hostile() };
      case 8: {
        const ok = this.#r.int(2) === 0;
        return { type: "file-received", id: this.#r.range(1, 8), ok, reason: this.#hostile() };
      }
      case 9:
        return { type: "files", seq };
      case 11:
        return { type: "join", seq, room: this.#room() };
      case 12:
        return { type: "part", seq, room: this.#room(), reason: this.#hostile() };
      case 13: {
        const set = this.#r.int(4) !== 0;
        return { type: "topic", seq, room: this.#room(), set, text: set ? this.#hostile() : "" };
      }
      default:
        return { type: "who", seq };
    }
  }

  async #nativeQuits(): Promise<void> {
    const peer = await this.#nativePeer();
    this.#sendNative(peer, { type: "quit", seq: ++this.#seq, reason: this.#hostile() });
    // Answered means the quit was not understood: the peer just hangs up instead.
    if (await this.#settled(peer)) peer.socket.destroy();
    await peer.closed;
  }

  // --- the hostile text peer -------------------------------------------------------

  /** The hostile text peer, connected anew if the server closed the last one. */
  async #textPeer(): Promise<HostileText> {
    if (this.#text !== undefined && !this.#text.socket.destroyed) return this.#text;
    const socket = netConnect({ host: "127.0.0.1", port: this.#port });
    // The server may reset a hostile connection; the close is all that matters.
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await once(socket, "connect");
    socket.resume();
    // Each line goes out at once: Nagle would hold it behind a delayed ACK.
    socket.setNoDelay(true);
    this.#text = { socket, closed };
    return this.#text;
  }

  /** Sends one line, sometimes broken at the byte level, as netcat would. */
  #sendLine(peer: HostileText, label: string, line: string): void {
    const mutate = this.#r.int(4) === 0;
    const bytes = mutate ? mutateUtf8(this.#r, encodeUtf8(line)) : encodeUtf8(line);
    this.#record(label, mutate ? decodeLossy(bytes) : line, mutate);
    peer.socket.write(Buffer.concat([bytes, Buffer.from("\n")]));
  }

  /** Once alice has the marker it sends her, the server has handled every line before it. */
  async #textSettled(peer: HostileText): Promise<boolean> {
    const marker = `settled ${++this.#marker}`;
    peer.socket.write(`/msg ${NATIVE_OBSERVER} ${marker}\n`);
    const seen = this.#alice.waitFor((m) => m.type === "message" && m.text === marker);
    return Promise.race([seen.then(() => true), peer.closed.then(() => false)]);
  }

  async #textBatch(count: number): Promise<void> {
    const peer = await this.#textPeer();
    for (let i = 0; i < count; i++) {
      const { label, line } = this.#randomLine();
      this.#sendLine(peer, label, line);
      // SEND opens the original client's upload, a hostile name offered to everyone once whole.
      if (line.startsWith("SEND ")) {
        peer.socket.write(Buffer.concat([this.#r.bytes(this.#r.range(0, 64)), LEGACY_END_MARKER]));
      }
    }
    if (this.#r.int(4) === 0) {
      // Enough undecodable lines in a row that the server closes the peer: the next joins anew.
      for (let i = 0; i < DEFAULTS.maxConsecutiveErrors; i++) {
        const text = this.#hostile();
        this.#record("text say", text, true);
        peer.socket.write(Uint8Array.from([...encodeUtf8(text), INVALID_UTF8, 0x0a]));
      }
    }
    peer.socket.write(`/join ${DEFAULT_ROOM}\n`);
    await this.#textSettled(peer);
  }

  /** The same as #nativeRooms, typed as netcat would. */
  async #textRooms(): Promise<void> {
    const peer = await this.#textPeer();
    for (let i = 0; i < 3; i++) this.#sendLine(peer, "text /topic", `/topic ${this.#hostile()}`);
    peer.socket.write(`/join ${this.#r.pick(CLEAN_ROOMS)}\n`);
    this.#sendLine(peer, "text /topic", `/topic ${this.#hostile()}`);
    await this.#textSettled(peer);
    await this.#roomsListed();
    this.#sendLine(peer, "text /part", `/part ${DEFAULT_ROOM} ${this.#hostile()}`);
    peer.socket.write(`/join ${DEFAULT_ROOM}\n`);
    await this.#textSettled(peer);
  }

  #randomLine(): { label: string; line: string } {
    const text = this.#hostile();
    switch (this.#r.int(12)) {
      case 0:
      case 1:
        return { label: "text say", line: text };
      case 2:
        return { label: "text //say", line: `//${text}` };
      case 3:
        return { label: "text /me", line: `/me ${text}` };
      case 4:
        return { label: "text /msg", line: `/msg ${this.#target()} ${text}` };
      case 5:
        return { label: "text /nick", line: `/nick ${this.#r.int(3) === 0 ? this.#nick() : text}` };
      case 6:
        return { label: "text SEND", line: `${this.#r.pick(["SEND", "/send"])} ${text}` };
      case 7:
        return { label: "text other", line: `${this.#r.pick(["/cancel", "/get", "/x"])} ${text}` };
      case 9:
        return { label: "text /join", line: `/join ${this.#room()}` };
      case 10: {
        const room = this.#r.pick(["", `${this.#room()} `]);
        return { label: "text /part", line: `/part ${room}${text}` };
      }
      case 11:
        return { label: "text /topic", line: `/topic ${text}` };
      default:
        return {
          label: "text other",
          line: `${this.#r.pick(["/who", "/files", "/help"])} ${text}`,
        };
    }
  }

  async #textQuits(): Promise<void> {
    const peer = await this.#textPeer();
    this.#sendLine(peer, "text /quit", `/quit ${this.#hostile()}`);
    if (await this.#textSettled(peer)) peer.socket.destroy();
    await peer.closed;
  }

  // --- shared --------------------------------------------------------------------

  #hostile(): string {
    return hostileText(this.#r, NATIVE_OBSERVER);
  }

  /** A nickname, now and then an acceptable one so that renames happen too. */
  #nick(): string {
    return this.#r.int(3) === 0 ? this.#r.pick(CLEAN_NICKS) : this.#hostile();
  }

  /** A room name: the observers' room, one a peer may make, or a hostile one. */
  #room(): string {
    return this.#r.pick([
      DEFAULT_ROOM,
      this.#r.pick(CLEAN_ROOMS),
      `#${this.#hostile()}`,
      this.#hostile(),
    ]);
  }

  #target(): string {
    return this.#r.pick([NATIVE_OBSERVER, TEXT_OBSERVER, this.#hostile()]);
  }

  #record(label: string, text: string, mutated: boolean): void {
    this.sent.push({ label, text, mutated });
  }

  /** Both observers ask for the room list, which shows every room's topic. */
  async #roomsListed(): Promise<void> {
    const seq = ++this.#seq;
    this.#alice.send({ type: "rooms", seq });
    await this.#alice.waitFor((m) => m.type === "room-list" && m.seq === seq);
    const from = this.#bob.lines.lines.length;
    this.#bob.send("/rooms");
    await this.#bob.lines.waitFor(/^\* \d+ rooms?:$/, 10_000, from);
  }

  /** Alice has seen every hostile connection leave: all joined but bob. */
  async #everyoneElseLeft(): Promise<void> {
    const count = (type: ServerMessage["type"]) =>
      this.#alice.received.filter((m) => m.type === type).length;
    await this.#alice.waitFor(() => count("left") === count("joined") - 1);
  }

  /** Both observers still get answers: the server survived the session. */
  async #observersStillServed(): Promise<void> {
    const token = ++this.#token;
    this.#alice.send({ type: "ping", token });
    await this.#alice.waitFor((m) => m.type === "pong" && m.token === token);
    const seq = ++this.#seq;
    this.#alice.send({ type: "files", seq });
    await this.#alice.waitFor((m) => m.type === "file-list" && m.seq === seq);
    const from = this.#bob.lines.lines.length;
    this.#bob.send("/who");
    this.#bob.send("/files");
    await this.#bob.lines.waitFor(/^\* 2 users online:$/, 10_000, from);
    await this.#bob.lines.waitFor(/^\* (no shared files|\d+ shared files?:)$/, 10_000, from);
  }
}

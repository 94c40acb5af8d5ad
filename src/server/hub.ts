// The hub: who is here, under which nickname, and fan-out of every message to
// everyone else. It knows members only as things that accept messages, never
// the transport behind them.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { ChatMessage, MessageKind, ServerMessage, WhoEntry } from "../protocol/messages.js";
import { nickBase, nickKey, nickProblem } from "../protocol/nicknames.js";
import {
  joinChannel,
  leaveChannel,
  messageChannel,
  publish,
  renameChannel,
} from "./diagnostics.js";
import { NicknameAllocator } from "./nickname-allocator.js";

export interface Member {
  readonly address: string;
  /** Set by the hub on join and rename. */
  nick: string;
  /** When the member last said something, for /who. */
  lastActive: number;
  deliver(message: ServerMessage): void;
}

export class Hub {
  readonly #members = new Map<string, Member>();
  readonly #nicknames = new NicknameAllocator();
  readonly #presenceLimit: number;

  /**
   * Joins and leaves are announced while at most `presenceLimit` members are
   * here: in a crowd, every arrival told to everyone costs the square of its size.
   */
  constructor(presenceLimit: number = Number.POSITIVE_INFINITY) {
    this.#presenceLimit = presenceLimit;
  }

  get size(): number {
    return this.#members.size;
  }

  /** Admits a member under `wanted` or the nearest free variant; returns the nickname given. */
  join(member: Member, wanted: string): string {
    const nick = this.#nicknames.allocate(nickBase(wanted), (n) => this.#members.has(nickKey(n)));
    member.nick = nick;
    this.#members.set(nickKey(nick), member);
    if (this.#members.size <= this.#presenceLimit)
      this.#broadcast({ type: "joined", nick }, member);
    publish(joinChannel, { nick, address: member.address });
    return nick;
  }

  leave(member: Member, reason: string): void {
    if (this.#members.get(nickKey(member.nick)) !== member) return;
    this.#members.delete(nickKey(member.nick));
    this.#nicknames.release(member.nick);
    if (this.#members.size < this.#presenceLimit) {
      this.#broadcast({ type: "left", nick: member.nick, reason });
    }
    publish(leaveChannel, { nick: member.nick, address: member.address, reason });
  }

  rename(member: Member, wanted: string): ProtocolError | undefined {
    const problem = nickProblem(wanted);
    if (problem !== undefined) return new ProtocolError(ErrorCode.BadNick, problem);
    const holder = this.#members.get(nickKey(wanted));
    if (holder !== undefined && holder !== member) {
      return new ProtocolError(ErrorCode.NickTaken, `the nickname ${wanted} is taken`);
    }
    const from = member.nick;
    if (from === wanted) return undefined;
    this.#members.delete(nickKey(from));
    this.#nicknames.release(from);
    member.nick = wanted;
    this.#members.set(nickKey(wanted), member);
    this.#broadcast({ type: "renamed", from, to: wanted });
    publish(renameChannel, { from, to: wanted });
    return undefined;
  }

  /** Sends a public message or action from `from` to every other member. */
  post(from: Member, kind: Exclude<MessageKind, "private">, text: string): void {
    const message: ChatMessage = {
      type: "message",
      kind,
      ts: Date.now(),
      from: from.nick,
      to: "",
      text,
    };
    from.lastActive = message.ts;
    this.#broadcast(message, from);
    publish(messageChannel, message);
  }

  whisper(from: Member, to: string, text: string): ProtocolError | undefined {
    const target = this.#members.get(nickKey(to));
    if (target === undefined) {
      return new ProtocolError(ErrorCode.NoSuchNick, `nobody here is called ${to}`);
    }
    const ts = Date.now();
    from.lastActive = ts;
    target.deliver({
      type: "message",
      kind: "private",
      ts,
      from: from.nick,
      to: target.nick,
      text,
    });
    return undefined;
  }

  who(now: number = Date.now()): WhoEntry[] {
    return [...this.#members.values()]
      .map((m) => ({
        nick: m.nick,
        address: m.address,
        idleSeconds: Math.max(0, Math.floor((now - m.lastActive) / 1000)),
      }))
      .sort((a, b) => a.nick.localeCompare(b.nick));
  }

  #broadcast(message: ServerMessage, except?: Member): void {
    for (const member of this.#members.values()) {
      if (member !== except) member.deliver(message);
    }
  }
}

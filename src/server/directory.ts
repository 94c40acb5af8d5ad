// Who is connected and under which nickname: one name per person, unique
// without regard to case, on the whole server whatever rooms they are in.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { WhoEntry } from "../protocol/messages.js";
import { nickBase, nickKey, nickProblem, normalNick } from "../protocol/nicknames.js";
import type { Member } from "./member.js";
import { NicknameAllocator } from "./nickname-allocator.js";

export class Directory {
  readonly #members = new Map<string, Member>();
  readonly #nicknames = new NicknameAllocator();

  get size(): number {
    return this.#members.size;
  }

  /** Lists `member` under `wanted` or the nearest free variant, which becomes its nickname. */
  admit(member: Member, wanted: string): string {
    const nick = this.#nicknames.allocate(nickBase(wanted), (n) => this.#members.has(nickKey(n)));
    member.nick = nick;
    this.#members.set(nickKey(nick), member);
    return nick;
  }

  /** Whether `member` was listed (and is no longer). */
  remove(member: Member): boolean {
    if (this.#members.get(nickKey(member.nick)) !== member) return false;
    this.#members.delete(nickKey(member.nick));
    this.#nicknames.release(member.nick);
    return true;
  }

  /** Gives `member` the nickname `wanted`; its old one when it returns an error. */
  rename(member: Member, asked: string): ProtocolError | undefined {
    const wanted = normalNick(asked);
    const problem = nickProblem(wanted);
    if (problem !== undefined) return new ProtocolError(ErrorCode.BadNick, problem);
    const holder = this.#members.get(nickKey(wanted));
    if (holder !== undefined && holder !== member) {
      return new ProtocolError(ErrorCode.NickTaken, `the nickname ${wanted} is taken`);
    }
    this.#members.delete(nickKey(member.nick));
    this.#nicknames.release(member.nick);
    member.nick = wanted;
    this.#members.set(nickKey(wanted), member);
    return undefined;
  }

  find(nick: string): Member | undefined {
    return this.#members.get(nickKey(nick));
  }

  /** Everyone here, or only `among` them, by nickname. */
  who(now: number = Date.now(), among?: Iterable<Member>): WhoEntry[] {
    return [...(among ?? this.#members.values())]
      .map((m) => ({
        nick: m.nick,
        address: m.address,
        idleSeconds: Math.max(0, Math.floor((now - m.lastActive) / 1000)),
      }))
      .sort((a, b) => a.nick.localeCompare(b.nick));
  }
}

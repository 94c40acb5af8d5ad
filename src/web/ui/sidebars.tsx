// The conversations (rooms, then private talks, with unread counts) and the
// people online: beside the chat on a wide screen, over it on a phone.

import { useState } from "preact/hooks";
import { inert } from "../../protocol/render.js";
import type { ChatModel } from "../model/chat-model.js";

interface SidebarProps {
  model: ChatModel;
  /** Something was picked: a phone's sidebar goes, the message box takes the keyboard. */
  picked: () => void;
  /** Closes a phone's sidebar. */
  dismiss: () => void;
}

export function Conversations({ model, picked, dismiss }: SidebarProps) {
  const [room, setRoom] = useState("");
  const active = model.active;
  return (
    <nav id="conversations" class="sidebar" aria-label="Conversations">
      <CloseSidebar dismiss={dismiss} />
      <h2>Rooms</h2>
      <ul class="convs">
        {model.conversations.map((conv) => {
          const badge = `badge-${conv.key.replace(/[^\w-]/g, "_")}`;
          return (
            <li key={conv.key} class={conv.kind}>
              <button
                type="button"
                class="conv"
                aria-label={conv.name}
                aria-current={conv === active ? "page" : undefined}
                aria-describedby={conv.unread > 0 ? badge : undefined}
                onClick={() => {
                  model.open(conv.key);
                  picked();
                }}
              >
                <span class="conv-name">{inert(conv.name)}</span>
                {conv.unread > 0 ? (
                  <span id={badge} class={conv.mentions > 0 ? "badge mentioned" : "badge"}>
                    {conv.unread}
                    <span class="visually-hidden"> unread</span>
                  </span>
                ) : null}
              </button>
              <button
                type="button"
                class="close"
                aria-label={conv.kind === "room" ? `Leave ${conv.name}` : `Close ${conv.name}`}
                onClick={() => model.close(conv.key)}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <form
        class="join"
        onSubmit={(event) => {
          event.preventDefault();
          const name = room.trim();
          if (name === "") return;
          if (model.submit(`/join ${name}`)) {
            setRoom("");
            picked();
          }
        }}
      >
        <label for="join-room">Join or create a room</label>
        <span class="row">
          <input
            id="join-room"
            placeholder="#room"
            autocomplete="off"
            value={room}
            onInput={(event) => setRoom(event.currentTarget.value)}
          />
          <button type="submit">Join</button>
        </span>
      </form>
    </nav>
  );
}

/** The room's members when one is shown and listed; everyone online otherwise. */
export function People({ model, picked, dismiss }: SidebarProps) {
  const active = model.active;
  const members = active?.kind === "room" ? model.members(active.key) : undefined;
  const people = members ?? model.online;
  const heading =
    members === undefined || active === undefined
      ? `Online (${people.length})`
      : `In ${inert(active.name)} (${people.length})`;
  return (
    <aside id="people" class="sidebar" aria-label="People online">
      <CloseSidebar dismiss={dismiss} />
      <h2>{heading}</h2>
      <ul class="people">
        {people.map((nick) => (
          <li key={nick}>
            {nick === model.me ? (
              <span class="me">{inert(nick)} (you)</span>
            ) : (
              <button
                type="button"
                title={`Talk privately with ${nick}`}
                onClick={() => {
                  model.talkTo(nick);
                  picked();
                }}
              >
                {inert(nick)}
              </button>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** Shown on a phone only, where the sidebar covers the chat. */
function CloseSidebar({ dismiss }: { dismiss: () => void }) {
  return (
    <button type="button" class="close-sidebar" onClick={dismiss}>
      Back to the chat
    </button>
  );
}

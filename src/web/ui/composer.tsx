// The message box, with the same commands as the terminal (Enter sends,
// Shift+Enter starts a new line), the file picker, and the files being sent.

import { useEffect, useRef, useState } from "preact/hooks";
import { inert } from "../../protocol/render.js";
import type { ChatModel } from "../model/chat-model.js";
import { formatBytes, formatRate } from "../model/format.js";
import type { Upload } from "../model/upload-book.js";
import type { Session } from "../session.js";

export function Composer({ session }: { session: Session }) {
  const model = session.model;
  const [text, setText] = useState("");
  const conv = model.active;
  const box = useRef<HTMLTextAreaElement>(null);
  // Joined: the keyboard goes where the typing is.
  useEffect(() => box.current?.focus(), []);

  const submit = (event?: Event) => {
    event?.preventDefault();
    if (model.submit(text)) setText("");
  };

  return (
    <form class="composer" onSubmit={submit}>
      <label class="visually-hidden" for="message">
        Message
      </label>
      <textarea
        id="message"
        ref={box}
        rows={1}
        autocomplete="off"
        placeholder={conv === undefined ? "" : `Message ${conv.name}`}
        title="Enter sends, Shift+Enter starts a new line; /help lists the commands"
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
        }}
      />
      <button type="submit">Send</button>
      <span class="file-pick">
        <label for="file-input">Send a file</label>
        <input
          id="file-input"
          type="file"
          multiple
          class="visually-hidden"
          onChange={(event) => {
            const input = event.currentTarget;
            if (input.files !== null) session.sendFiles(input.files);
            input.value = "";
          }}
        />
      </span>
    </form>
  );
}

export function Transfers({ model }: { model: ChatModel }) {
  const uploads = model.uploads;
  if (uploads.length === 0) return null;
  return (
    <section class="transfers" aria-label="Files being sent">
      <ul>
        {uploads.map((upload) => (
          <UploadRow key={upload.key} model={model} upload={upload} />
        ))}
      </ul>
    </section>
  );
}

function UploadRow({ model, upload }: { model: ChatModel; upload: Upload }) {
  const name = inert(upload.name);
  const percent = upload.size === 0 ? 100 : Math.floor((upload.sent / upload.size) * 100);
  const state =
    upload.state === "waiting"
      ? "waiting"
      : upload.state === "verifying"
        ? "all sent, being verified"
        : `${percent}% of ${formatBytes(upload.size)}, ${formatRate(upload.rate)}`;
  return (
    <li class="upload">
      <span class="upload-name">{name}</span>
      <progress
        max={Math.max(upload.size, 1)}
        value={upload.size === 0 ? 1 : upload.sent}
        aria-label={`Sending ${upload.name}`}
      />
      <span class="upload-state">{state}</span>
      <button
        type="button"
        aria-label={`Cancel sending ${upload.name}`}
        disabled={upload.state === "verifying"}
        onClick={() => model.cancelUpload(upload.key)}
      >
        Cancel
      </button>
    </li>
  );
}
